"""Crisis terms in free text: deterministic rules (no ML) that flag suicidal talk and
self-harm in anything a patient writes. The rules are data, ``programs/safety/
crisis_terms.yaml``, written for clinicians to review; docs/safety.md explains them.

Every rule of every language runs on every text (a Swedish patient may write English).

Matching works on a normalised copy of the text (``normalise``):
- lower case, Unicode-normalised (NFKD: composed and decomposed å alike, full-width and
  styled letters as plain ones) and accents folded (å ä → a, ö ø → o, é → e), so
  ``självmord``, ``sjalvmord`` and ``SJÄLVMORD`` are the same word;
- apostrophes dropped (``don't`` → ``dont``); every other run of punctuation, emoji or
  space becomes one space, except ``. ! ? … ;`` and line breaks, which leave a sentence
  mark ``.``;
- a run of one letter matches a rule word with that letter once (``dööö`` = ``dö``,
  ``villl`` = ``vill``; note that ``of`` therefore matches ``off``).

A rule pattern is a *phrase*: words separated by spaces.
- ``vill|ville``   any of these words
- ``självmord*``   any word that starts with ``självmord``
- ``my_self``      two words (``_`` is a space inside one alternative)
- ``~2``           up to 2 other words may stand here
- ``$``            (last) the sentence ends here
or ``{regex: ...}`` on the normalised text (accents folded: write ``a`` for ``ä``).

Speed: a phrase's regex runs only if each of its words occurs somewhere in the text (set
look-ups), so an ordinary 4,000-character message costs well under a millisecond.

Patterns look through sentence marks (``vill... dö`` matches ``vill ~2 dö``); exclusions
do not (an exclusion never reaches into the next sentence). Exclusions blank out the words
they match for their own rule only; the rule fires if a pattern still matches elsewhere.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from .loader import Problem, ProgramError, parse_yaml, validate_doc
from .models import ID_PATTERN, Loc, _Model

LANGUAGES = ("sv", "en")
SEVERITIES = ("red", "amber")  # highest first
MAX_GAP = 5
RULES_FILE = Path(__file__).resolve().parent / "safety" / "crisis_terms.yaml"

Severity = Literal["red", "amber"]


# --------------------------------------------------------------------------- normalising

_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
# Letters that do not decompose into a base letter and an accent.
_EXTRA_FOLD = str.maketrans({"ø": "o", "æ": "a", "œ": "o", "ß": "ss", "ð": "d", "þ": "th"})
# Apostrophes vanish (don't → dont); sentence ends and line breaks become a mark ".".
_APOSTROPHES = re.compile("['’ʼ`‘]+")
_SENTENCE_END = re.compile("[!?;…\n\r\u2028\u2029]+")
_NOT_WORD = re.compile(r"[^\w\s.]+")
_MARKS = re.compile(r"\.[\s.]*")
_SQUEEZE = re.compile(r"(?=(.)\1)(.)\2+")
# Superscripts, fractions and other "number" signs are not digits of a word: NFKD would turn
# ``²kms²`` into the one word ``2kms2`` and hide "kms". They become spaces first.
_OTHER_NUMBERS = {
    code: " " for code in range(0x10000) if unicodedata.category(chr(code)) == "No"
}


def fold(text: str) -> str:
    """Lower case without accents: ``Självmord`` → ``självmord`` → ``sjalvmord`` (Unicode
    NFKD, which treats composed and decomposed å alike, then accents dropped)."""
    text = unicodedata.normalize("NFKD", text.lower())
    return _COMBINING.sub("", text).translate(_EXTRA_FOLD)


def squeeze(text: str) -> str:
    """Every run of one character as one: ``doooo`` → ``do``."""
    return _SQUEEZE.sub(r"\2", text)


def normalise(text: str) -> str:
    """The text the rules see: ``" jag vill . dööö "`` → ``" jag vill . doo "`` (folded
    words and sentence marks ``.``, single spaces, a space at both ends). Letter runs are
    left alone here; rule words match them stretched (``d+o+``)."""
    text = fold(_APOSTROPHES.sub("", text).translate(_OTHER_NUMBERS))
    text = _SENTENCE_END.sub(".", text).replace("_", " ")
    text = _NOT_WORD.sub(" ", text)
    text = _MARKS.sub(" . ", text)
    text = " ".join(text.split())
    return f" {text} " if text else " "


# --------------------------------------------------------------------------- phrases

_ALT_RE = re.compile(r"^[\w]+(?:_[\w]+)*\*?$")
_GAP_RE = re.compile(r"^~(\d+)$")


class PhraseError(ValueError):
    pass


#: One word of a phrase for the quick pre-check: exact (squeezed) words and word prefixes;
#: a text that has none of them as a word cannot match the phrase.
Step = tuple[frozenset[str], tuple[str, ...]]


@dataclass(frozen=True)
class _Pattern:
    regex: re.Pattern[str]
    steps: tuple[Step, ...] | None  # None: a raw regex, always searched

    def possible(self, words: frozenset[str], ordered: list[str]) -> bool:
        if self.steps is None:
            return True
        for exact, prefixes in self.steps:
            if exact & words:
                continue
            for prefix in prefixes:
                i = bisect_left(ordered, prefix)
                if i < len(ordered) and ordered[i].startswith(prefix):
                    break
            else:
                return False
        return True


def _word(alt: str) -> str:
    """A rule word as the matcher sees it: folded and squeezed (``Dööö`` → ``do``)."""
    return squeeze(fold(alt))


def compile_phrase(phrase: str, *, across_sentences: bool) -> tuple[str, tuple[Step, ...]]:
    """A phrase as a regex over normalised text (every letter may repeat: ``dö`` →
    ``d+o+``), plus its squeezed words for the pre-check."""
    tokens = phrase.split()
    if not tokens:
        raise PhraseError("empty phrase")
    marks = r"(?: \.)*" if across_sentences else ""
    out: list[str] = []
    steps: list[Step] = []
    gap: int | None = None
    for i, token in enumerate(tokens):
        gap_match = _GAP_RE.match(token)
        if gap_match:
            if not steps or gap is not None or i == len(tokens) - 1:
                raise PhraseError(f"'{token}' must stand between two words")
            gap = int(gap_match.group(1))
            if not 1 <= gap <= MAX_GAP:
                raise PhraseError(f"'{token}': a gap is 1 to {MAX_GAP} words")
            continue
        if token == "$":
            if i != len(tokens) - 1 or not steps or gap is not None:
                raise PhraseError("'$' (end of sentence) must be the last token, after a word")
            out.append(r"(?= (?:\.|$))")
            continue
        alts = token.split("|")
        exact: set[str] = set()
        prefixes: list[str] = []
        forms: list[str] = []
        for alt in alts:
            if not _ALT_RE.match(alt):
                raise PhraseError(
                    f"'{alt}' in '{token}': a word is letters or digits, optionally "
                    "joined by _ and ending in *"
                )
            is_prefix = alt.endswith("*")
            words = [_word(w) for w in alt.rstrip("*").split("_")]
            stretched = ["".join(re.escape(c) + "+" for c in w) for w in words]
            if not steps:
                # The first word starts right after a space. Said as "first letter, then
                # look back for ' x'" (not a look-behind first), so the regex engine can
                # skip ahead to the possible first letters.
                c = re.escape(words[0][0])
                stretched[0] = f"{c}(?<= {c}){c}*" + stretched[0][len(c) + 1 :]
            forms.append(" ".join(stretched) + (r"[^ .]*" if is_prefix else ""))
            if is_prefix and len(words) == 1:
                prefixes.append(words[0])
            else:
                exact.add(words[0])
        steps.append((frozenset(exact), tuple(prefixes)))
        step = "(?:" + "|".join(sorted(set(forms), key=len, reverse=True)) + ")"
        if len(steps) == 1:
            out.append(step)
        else:
            n = gap or 0
            between = f"(?: [^ .]+{marks}){{0,{n}}}" if n else ""
            out.append(f"{marks}{between} {step}")
        gap = None
    return "".join(out) + "(?= )", tuple(steps)


def _pattern(spec: PatternSpec, *, across_sentences: bool) -> _Pattern:
    if isinstance(spec, str):
        source, steps = compile_phrase(spec, across_sentences=across_sentences)
        return _Pattern(re.compile(source), steps)
    return _Pattern(re.compile(fold(spec.regex)), None)


# --------------------------------------------------------------------------- the file


class RegexPattern(_Model):
    regex: Annotated[str, Field(min_length=1)]


PatternSpec = Annotated[str, Field(min_length=1)] | RegexPattern


class Examples(_Model):
    positive: Annotated[list[Annotated[str, Field(min_length=1)]], Field(min_length=1)]
    negative: Annotated[list[Annotated[str, Field(min_length=1)]], Field(min_length=1)]


class RuleSpec(_Model):
    id: Annotated[str, Field(pattern=ID_PATTERN)]
    language: Literal["sv", "en"]
    severity: Severity
    matches: Annotated[str, Field(min_length=1)]  # what it catches, for reviewers
    patterns: Annotated[list[PatternSpec], Field(min_length=1)]
    exclusions: list[PatternSpec] = []
    examples: Examples

    def _rules(self) -> list[tuple[Loc, str]]:
        problems: list[tuple[Loc, str]] = []
        for field, across in (("patterns", True), ("exclusions", False)):
            for i, p in enumerate(getattr(self, field)):
                try:
                    _pattern(p, across_sentences=across)
                except (PhraseError, re.error) as e:
                    problems.append(((field, i), str(e)))
        return problems


class CrisisTermsFile(_Model):
    version: Literal[1]
    rules: Annotated[list[RuleSpec], Field(min_length=1)]
    harmless: list[Annotated[str, Field(min_length=1)]] = []

    def _rules(self) -> list[tuple[Loc, str]]:
        seen: set[str] = set()
        problems: list[tuple[Loc, str]] = []
        for i, rule in enumerate(self.rules):
            if rule.id in seen:
                problems.append((("rules", i, "id"), f"duplicate rule id '{rule.id}'"))
            seen.add(rule.id)
        return problems


class CrisisRulesError(ProgramError):
    """The crisis terms file is invalid; ``problems`` lists every problem (FILE:LINE)."""

    def __init__(self, problems: list[Problem]):
        super().__init__(problems)
        lines = "\n".join(str(p) for p in self.problems)
        self.args = (f"{len(self.problems)} problem(s) in crisis terms:\n{lines}",)


# --------------------------------------------------------------------------- matching


@dataclass(frozen=True)
class Hit:
    rule_id: str
    severity: Severity
    language: str


@dataclass(frozen=True)
class _Rule:
    spec: RuleSpec
    patterns: tuple[_Pattern, ...]
    exclusion: re.Pattern[str] | None  # all exclusions as one regex

    def fires(self, text: str, words: frozenset[str], ordered: list[str]) -> bool:
        candidates = [p for p in self.patterns if p.possible(words, ordered)]
        if not any(p.regex.search(text) for p in candidates):
            return False
        if self.exclusion is None:
            return True
        blanked = _blank(text, self.exclusion)
        return blanked is text or any(p.regex.search(blanked) for p in candidates)


def _blank(text: str, regex: re.Pattern[str]) -> str:
    """Replace every word an exclusion matches by ``#`` (no rule word matches ``#``); the
    same object if nothing matched."""
    spans = [m.span() for m in regex.finditer(text)]
    if not spans:
        return text
    out, last = [], 0
    for start, end in spans:
        out.append(text[last:start])
        out.append(re.sub(r"[^ ]+", "#", text[start:end]))
        last = end
    out.append(text[last:])
    return "".join(out)


class CrisisRules:
    """The compiled rules. ``match(text)`` lists the rules that fire (red first, then in file
    order); ``severity(text)`` is the highest severity, or None."""

    def __init__(self, spec: CrisisTermsFile, path: Path | None = None):
        self.spec = spec
        self.path = path
        rules = [
            _Rule(
                r,
                tuple(_pattern(p, across_sentences=True) for p in r.patterns),
                re.compile("|".join(f"(?:{p.regex.pattern})" for p in exclusions))
                if (exclusions := [_pattern(p, across_sentences=False) for p in r.exclusions])
                else None,
            )
            for r in spec.rules
        ]
        order = {s: i for i, s in enumerate(SEVERITIES)}
        self._rules = sorted(rules, key=lambda r: order[r.spec.severity])

    @property
    def rules(self) -> list[RuleSpec]:
        return list(self.spec.rules)

    @property
    def harmless(self) -> list[str]:
        return list(self.spec.harmless)

    def _fired(self, text: str) -> Iterator[_Rule]:
        norm = normalise(text)
        distinct = set(norm.split())
        if not distinct:
            return
        words = frozenset(squeeze(" ".join(distinct)).split())
        ordered = sorted(words)
        for rule in self._rules:
            if rule.fires(norm, words, ordered):
                yield rule

    def match(self, text: str) -> list[Hit]:
        return [Hit(r.spec.id, r.spec.severity, r.spec.language) for r in self._fired(text)]

    def severity(self, text: str) -> Severity | None:
        # red rules come first, so the first rule to fire has the highest severity
        return next((r.spec.severity for r in self._fired(text)), None)


def load_rules(path: Path | str | None = None) -> CrisisRules:
    """Load, validate and compile a crisis terms file (default: the bundled one).
    Raises CrisisRulesError with every problem as FILE:LINE."""
    path = Path(path) if path is not None else RULES_FILE
    doc, problems = parse_yaml(path)
    spec: BaseModel | None = None
    if doc is not None:
        spec, more = validate_doc(doc, CrisisTermsFile)
        problems = problems + more
    if problems or not isinstance(spec, CrisisTermsFile):
        raise CrisisRulesError(problems or [Problem(path, 1, "no rules")])
    return CrisisRules(spec, path)
