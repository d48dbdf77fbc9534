"""Crisis terms (programs/crisis_terms.py, programs/safety/crisis_terms.yaml).

Every example sentence of every rule runs here: positives must fire their rule, negatives
and the shared harmless list must fire no rule at all.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import pytest

from programs.crisis_terms import (
    LANGUAGES,
    RULES_FILE,
    CrisisRulesError,
    Hit,
    load_rules,
    normalise,
)

RULES = load_rules()


def _ids(text: str) -> list[str]:
    return [h.rule_id for h in RULES.match(text)]


POSITIVES = [
    pytest.param(rule.id, text, id=f"{rule.id}: {text}")
    for rule in RULES.rules
    for text in rule.examples.positive
]
NEGATIVES = [
    pytest.param(text, id=f"{rule.id}: {text}")
    for rule in RULES.rules
    for text in rule.examples.negative
]


@pytest.mark.parametrize(("rule_id", "text"), POSITIVES)
def test_positive_example_fires_its_rule(rule_id: str, text: str) -> None:
    assert rule_id in _ids(text)


@pytest.mark.parametrize("text", NEGATIVES)
def test_negative_example_fires_no_rule(text: str) -> None:
    assert _ids(text) == []


@pytest.mark.parametrize("text", RULES.harmless)
def test_harmless_sentence_fires_no_rule(text: str) -> None:
    assert _ids(text) == []
    assert RULES.severity(text) is None


def test_the_bundled_file_covers_both_languages_and_severities() -> None:
    assert RULES.path == RULES_FILE
    pairs = {(r.language, r.severity) for r in RULES.rules}
    assert pairs == {(lang, sev) for lang in LANGUAGES for sev in ("red", "amber")}
    assert len(RULES.harmless) >= 20


# --------------------------------------------------------------------------- the brief's list

BRIEF_SV = [
    "Jag vill inte leva",
    "jag vill inte leva längre",
    "orkar inte leva",
    "jag vill dö",
    "ska ta livet av mig",
    "jag tar livet av mig",
    "jag tänker ta mitt liv",
    "självmord",
    "jag har självmordstankar",
    "suicid",
    "jag vill skada mig själv",
    "det vore bättre om jag vore död",
    "jag vill inte finnas",
    "jag vill inte finnas till",
    "det finns ingen mening att leva",
    "jag ska hänga mig",
    "jag har sjalvmordstankar",
    "jag vill verkligen inte leva",
]
BRIEF_EN = [
    "I want to die",
    "I wanna die",
    "I will kill myself",
    "I keep thinking about killing myself",
    "I want to end my life",
    "I want to end it all",
    "suicide",
    "I feel suicidal",
    "I don't want to live",
    "I'd be better off dead",
    "I want to hurt myself",
    "self-harm",
]


@pytest.mark.parametrize("text", BRIEF_SV + BRIEF_EN)
def test_brief_phrases_fire(text: str) -> None:
    assert RULES.severity(text) is not None, text


def test_severities_of_the_brief_phrases() -> None:
    red = [t for t in BRIEF_SV + BRIEF_EN if RULES.severity(t) == "red"]
    amber = {t for t in BRIEF_SV + BRIEF_EN if RULES.severity(t) == "amber"}
    # self-harm without words about dying is amber; everything else in the brief is red
    assert amber == {"jag vill skada mig själv", "I want to hurt myself", "self-harm"}
    assert len(red) == len(BRIEF_SV) + len(BRIEF_EN) - 3


@pytest.mark.parametrize(
    "text",
    [
        "jag dör av skratt",
        "filmen var död tråkig",
        "batteriet dog",
        "dödstråkigt",
        "vi skrattade ihjäl oss och jag skrattade ihjäl mig",
        "självmordslinjen är bra att känna till",
        "I'm dying to see it",
        "this traffic is killing me",
        "my phone died",
        "killer workout",
        "suicide squad",
        "I'm proud of myself",
        "Jag vill inte leva med honom längre",
    ],
)
def test_brief_look_alikes_do_not_fire(text: str) -> None:
    assert RULES.match(text) == []


def test_negated_death_wish_is_amber_not_silence() -> None:
    assert _ids("jag vill inte dö") == ["sv-vill-inte-do"]
    assert RULES.severity("jag vill inte dö") == "amber"
    assert _ids("I don't want to die") == ["en-not-want-to-die"]
    # a real wish later in the same message still fires red
    assert RULES.severity("Jag vill inte dö. Eller jo, jag vill dö.") == "red"


def test_other_negations_do_not_silence_a_rule() -> None:
    assert RULES.severity("Jag tänker inte ta livet av mig") == "red"
    assert RULES.severity("Jag har inga självmordstankar") == "red"
    assert RULES.severity("I'm not suicidal") == "red"


def test_helpline_mention_is_silent_but_contact_is_amber() -> None:
    assert RULES.severity("Självmordslinjen är bra att känna till") is None
    assert _ids("Jag ringde Självmordslinjen i natt") == ["sv-kontakt-kris"]
    assert _ids("I called the suicide hotline") == ["en-crisis-contact"]


@pytest.mark.parametrize(
    ("text", "severity"),
    [
        # the edge-case table in docs/safety.md
        ("jag försökte ta livet av mig förra året", "red"),
        ("min bror begick självmord", "red"),
        ("Min kusin tog livet av sig", None),
        ("jobbet tar livet av mig", "red"),
        ("jag vill hellre dö än gå på festen", "red"),
        ("I could kill myself for forgetting", "red"),
        ("I was killing myself laughing", None),
        ("Jag vill inte leva utan henne", "red"),
        ("Jag vill inte leva så här", "amber"),
        ("orkar inte mer", None),
        ("I can't take it anymore", None),
        ("I feel hopeless", None),
        ("kms", "red"),
        ("I ran 5 kms", None),
        ("jag trodde jag skulle dö", None),
        ("Jag tänker mycket på döden", "amber"),
        ("jag har skadat mig själv", "amber"),
        ("I've been hurting myself", "amber"),
    ],
)
def test_documented_decisions(text: str, severity: str | None) -> None:
    assert RULES.severity(text) == severity


# --------------------------------------------------------------------------- matching details


def test_every_language_runs_on_every_text() -> None:
    text = "Mår dåligt idag. Honestly I want to die."
    assert [(h.rule_id, h.language) for h in RULES.match(text)] == [("en-want-to-die", "en")]
    assert RULES.severity("I don't know, jag vill inte leva längre") == "red"


def test_hits_come_red_first_and_once_per_rule() -> None:
    hits = RULES.match("Jag skadar mig själv och vill dö, vill dö, vill dö")
    assert hits[0] == Hit("sv-vill-do", "red", "sv")
    assert [h.severity for h in hits] == ["red", "amber"]
    assert RULES.severity("Jag skadar mig själv") == "amber"
    assert RULES.severity("Jag skadar mig själv och vill dö") == "red"


@pytest.mark.parametrize(
    "text",
    [
        "JAG VILL DÖ",
        "jag vill do",
        "jag vill döööö",
        "jaaag viiill dö",
        "Jag vill... dö",
        "jag vill\ndö",
        "Jag vill 😭😭 dö!!!",
        "jag vill d\u0308o\u0308".replace("d\u0308o\u0308", "do\u0308"),  # decomposed ö
        "jag\u00a0vill\tdö",
        "Ｊａｇ ｖｉｌｌ ｄö",  # full-width letters
    ],
)
def test_normalisation_tolerates_case_accents_stretching_punctuation_and_emoji(
    text: str,
) -> None:
    assert "sv-vill-do" in _ids(text)


def test_normalise() -> None:
    assert normalise("Jag VILL… dö!! 🙂 don't self-harm") == " jag vill . do . dont self harm "
    assert normalise("") == " "
    assert normalise("🙂👍") == " "
    assert RULES.match("") == [] and RULES.severity("   ") is None


def test_apostrophe_variants() -> None:
    for text in ("I don't want to live", "I don’t want to live", "I dont want to live"):
        assert "en-dont-want-to-live" in _ids(text), text


def test_an_exclusion_does_not_hide_a_later_real_match() -> None:
    assert _ids("Suicide Squad was fun") == []
    assert "en-suicide" in _ids("Suicide Squad was fun. I think about suicide every day")
    assert "sv-vill-inte-leva" in _ids("Jag vill inte leva i Stockholm och jag vill inte leva")


def test_an_exclusion_does_not_reach_into_the_next_sentence() -> None:
    assert _ids("Jag vill inte leva med honom") == []
    assert "sv-vill-inte-leva" in _ids("Jag vill inte leva. Med honom är allt bra.")


def test_word_boundaries() -> None:
    assert _ids("Dödstråkigt, ihjälskrattad och självmordslinjen") == []
    assert _ids("Det var en undöd zombie") == []
    assert _ids("skills and kills") == []


def test_gaps_are_bounded() -> None:
    assert "sv-vill-do" in _ids("jag vill verkligen bara dö")
    assert _ids("jag vill att hela den där växten ska dö") == []


def test_long_message_is_fast() -> None:
    filler = "Idag var en helt vanlig dag. Jag gick till jobbet och promenerade hem. "
    text = (filler * 60)[:3970] + " jag vill dö"
    assert len(text) >= 3980
    assert RULES.severity(text) == "red"
    timings = []
    for _ in range(30):
        start = time.perf_counter()
        RULES.match(text)
        timings.append(time.perf_counter() - start)
    assert statistics.median(timings) < 0.002


# --------------------------------------------------------------------------- the file format


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "terms.yaml"
    path.write_text(body, encoding="utf-8")
    return path


RULE = """\
  - id: x-test
    language: sv
    severity: red
    matches: test
    patterns:
      - {pattern}
    examples:
      positive: [vill dö]
      negative: [vill leva]
"""


def test_a_valid_custom_file_loads(tmp_path: Path) -> None:
    rules = load_rules(_write(tmp_path, "version: 1\nrules:\n" + RULE.format(pattern="vill ~1 dö")))
    assert rules.match("jag vill nog dö") == [Hit("x-test", "red", "sv")]
    assert rules.match("jag vill nog inte dö") == []


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("vill ~9 dö", "a gap is 1 to 5 words"),
        ("~2 dö", "must stand between two words"),
        ("vill $ dö", "must be the last token"),
        ("vill|d-ö", "a word is letters or digits"),
        ("{regex: '(unclosed'}", "missing )"),
    ],
)
def test_bad_patterns_are_reported_with_their_line(
    tmp_path: Path, pattern: str, message: str
) -> None:
    path = _write(tmp_path, "version: 1\nrules:\n" + RULE.format(pattern=pattern))
    with pytest.raises(CrisisRulesError) as err:
        load_rules(path)
    text = str(err.value)
    assert f"{path}:8:" in text and message in text


def test_duplicate_ids(tmp_path: Path) -> None:
    body = "version: 1\nrules:\n" + RULE.format(pattern="dö") + RULE.format(pattern="dö")
    with pytest.raises(CrisisRulesError) as err:
        load_rules(_write(tmp_path, body))
    assert f"{tmp_path / 'terms.yaml'}:12: rules[1].id: duplicate rule id 'x-test'" in str(
        err.value
    )


def test_unknown_keys_languages_and_missing_examples(tmp_path: Path) -> None:
    body = "version: 1\nrules:\n"
    body += "  - id: y\n    language: de\n    severity: red\n    matches: m\n"
    body += "    patterns: [x]\n    colour: red\n    examples: {positive: [x]}\n"
    with pytest.raises(CrisisRulesError) as err:
        load_rules(_write(tmp_path, body))
    text = str(err.value)
    assert "unknown key 'colour'" in text
    assert "rules[0].language" in text
    assert "missing key 'negative'" in text


def test_superscripts_beside_a_word_do_not_hide_it():
    # NFKD folds "²" to "2": "²kms²" must not become the one word "2kms2" (hypothesis found
    # it), nor a distance like "5 kms".
    rules = load_rules()
    assert rules.severity("²kms²") == "red"
    assert rules.severity("I ran 5 kms today") is None


def test_a_clock_time_before_kms_is_no_distance():
    # A command's words arrive on one line: "/message 22:00-07:00 kms" is not "5 kms".
    assert load_rules().severity("22:00-07:00 kms") == "red"
