"""Parsing `.chat` lines into directives (the contract: shared/specs/conversation-scripts.md).

`parse_script` checks a whole script before anything runs, so a script that cannot be parsed
exits 2 without touching the bot. `${NAME}` is replaced at run time by the runner (with the
value an earlier `@capture` found); the parser checks that each name was captured earlier.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.devtools.emulator.world import Press
from bot.devtools.script.matching import Matcher

ROLES = ("admin", "patient-admin", "therapist")
DEFAULT_UNIT = "default"
FAULTS = ("429", "500", "timeout")

_NAME = r"[^\W\d_][\w-]*"  # people: lower-case names
_GROUP = r"[\w-]+"
_CHAT = rf"(?:{_NAME}|#{_GROUP})"
_VARIABLE = re.compile(r"\$\{([A-Za-z_]\w*)\}")
_DURATION_PART = re.compile(r"(\d+)\s*([dhms])")
_DURATION = re.compile(r"^(?:\s*\d+\s*[dhms])+\s*$")
_UNIT = re.compile(r"\s+unit=(?P<unit>.+)$")


class ScriptError(Exception):
    """The script cannot be parsed, or a line makes no sense (exit code 2)."""

    def __init__(self, number: int, line: str, reason: str):
        super().__init__(f"line {number}: {reason}")
        self.number = number
        self.line = line
        self.reason = reason


# -- directives --------------------------------------------------------------------------


@dataclass(frozen=True)
class SetClock:
    local: datetime  # naive, in `zone`
    zone: ZoneInfo


@dataclass(frozen=True)
class SetUser:
    name: str
    language_code: str | None


@dataclass(frozen=True)
class AddStaff:
    name: str
    roles: tuple[str, ...]
    unit: str


@dataclass(frozen=True)
class AddGroup:
    name: str
    members: tuple[str, ...]
    unit: str
    registered: bool = True  # False (`unregistered`): the unit's staff register it with /channel


@dataclass(frozen=True)
class Say:
    """`alice> ...` or `anna@group> ...`: a text, a command, a sticker, a photo or a press."""

    actor: str
    group: str | None
    kind: str  # "text" | "sticker" | "photo" | "press"
    text: str = ""
    press: Press | None = None


@dataclass(frozen=True)
class Edit:
    actor: str
    group: str | None
    text: str


@dataclass(frozen=True)
class Advance:
    delta: timedelta


@dataclass(frozen=True)
class At:
    local: datetime  # naive, in the clock's zone


@dataclass(frozen=True)
class Capture:
    variable: str
    chat: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Expect:
    chat: str
    matcher: Matcher


@dataclass(frozen=True)
class ExpectNo:
    chat: str
    matcher: Matcher


@dataclass(frozen=True)
class ExpectSilence:
    chat: str


@dataclass(frozen=True)
class Flush:
    chat: str | None  # None: every chat


@dataclass(frozen=True)
class Block:
    chat: str
    blocked: bool  # False: @unblock


@dataclass(frozen=True)
class Migrate:
    group: str


@dataclass(frozen=True)
class Fault:
    kind: str  # "429" | "500" | "timeout"
    count: int


@dataclass(frozen=True)
class Restart:
    pass


@dataclass(frozen=True)
class Crash:
    on_send: bool


@dataclass(frozen=True)
class Down:
    delta: timedelta


Directive = (
    SetClock
    | SetUser
    | AddStaff
    | AddGroup
    | Say
    | Edit
    | Advance
    | At
    | Capture
    | Expect
    | ExpectNo
    | ExpectSilence
    | Flush
    | Block
    | Migrate
    | Fault
    | Restart
    | Crash
    | Down
)


@dataclass(frozen=True)
class ScriptLine:
    number: int
    text: str


# -- parsing -----------------------------------------------------------------------------


def is_directive_line(text: str) -> bool:
    stripped = text.strip()
    return bool(stripped) and not stripped.startswith("#")


def parse_script(source: str) -> list[ScriptLine]:
    """The lines to run, each checked. Raises ScriptError for the first bad one."""
    lines: list[ScriptLine] = []
    captured: set[str] = set()
    for number, raw in enumerate(source.splitlines(), start=1):
        if not is_directive_line(raw):
            continue
        text = raw.strip()
        for name in _VARIABLE.findall(text):
            if name not in captured:
                raise ScriptError(number, text, f"${{{name}}} is used before any @capture {name}")
        directive = parse_line(_VARIABLE.sub("X", text), number)
        if isinstance(directive, Capture):
            captured.add(directive.variable)
        lines.append(ScriptLine(number, text))
    return lines


def substitute(text: str, number: int, values: dict[str, str]) -> str:
    def value(found: re.Match[str]) -> str:
        name = found.group(1)
        if name not in values:
            raise ScriptError(number, text, f"${{{name}}} has not been captured")
        return values[name]

    return _VARIABLE.sub(value, text)


def parse_line(text: str, number: int) -> Directive:
    text = text.strip()

    def fail(reason: str) -> ScriptError:
        return ScriptError(number, text, reason)

    if text.startswith("@"):
        word, _, rest = text.partition(" ")
        parser = _AT_DIRECTIVES.get(word)
        if parser is None:
            raise fail(f"unknown directive {word}")
        return parser(rest.strip(), fail)
    for keyword, parser in _EXPECTATIONS:
        if text == keyword or text.startswith(keyword + " "):
            return parser(text[len(keyword) :].strip(), fail)
    found = re.match(rf"^(?P<actor>{_NAME})(?:@#?(?P<group>{_GROUP}))?>(?P<rest>.*)$", text)
    if found:
        _check_person(found.group("actor"), fail)
        return _say(found.group("actor"), found.group("group"), found.group("rest").strip(), fail)
    raise fail("not a directive: expected `name> ...`, `@directive ...` or `expect ...`")


def _check_person(name: str, fail) -> None:
    if name != name.lower():
        raise fail(f"people are written in lower case: {name}")


def _say(actor: str, group: str | None, rest: str, fail) -> Say:
    if not rest:
        raise fail("nothing to send")
    if rest == "<sticker>":
        return Say(actor, group, "sticker")
    if rest == "<photo>":
        return Say(actor, group, "photo")
    if rest.startswith("[") and rest.endswith("]") and len(rest) > 2:
        inner = rest[1:-1]
        if inner.startswith("#"):
            if not inner[1:].isdigit() or int(inner[1:]) < 1:
                raise fail(f"[#N] needs a button number from 1: {rest}")
            return Say(actor, group, "press", press=Press("index", inner[1:]))
        if inner.startswith("~"):
            if not inner[1:]:
                raise fail("[~...] needs part of a label")
            return Say(actor, group, "press", press=Press("contains", inner[1:]))
        return Say(actor, group, "press", press=Press("exact", inner))
    return Say(actor, group, "text", text=rest)


def parse_duration(text: str) -> timedelta | None:
    if not _DURATION.match(text):
        return None
    seconds = {"d": 86400, "h": 3600, "m": 60, "s": 1}
    return timedelta(seconds=sum(int(n) * seconds[u] for n, u in _DURATION_PART.findall(text)))


def _local_time(date: str, time: str, fail) -> datetime:
    try:
        return datetime.strptime(f"{date} {time}", "%Y-%m-%d %H:%M")
    except ValueError:
        raise fail(f"not a date and time (YYYY-MM-DD HH:MM): {date} {time}") from None


def _clock(rest: str, fail) -> SetClock:
    found = re.match(r"^(\S+)\s+(\S+)(?:\s+(\S+))?$", rest)
    if not found:
        raise fail("@clock needs YYYY-MM-DD HH:MM [Zone/Name]")
    local = _local_time(found.group(1), found.group(2), fail)
    try:
        zone = ZoneInfo(found.group(3) or "Europe/Stockholm")
    except (ZoneInfoNotFoundError, ValueError):
        raise fail(f"unknown time zone {found.group(3)}") from None
    return SetClock(local, zone)


def _user(rest: str, fail) -> SetUser:
    parts = rest.split()
    if not parts:
        raise fail("@user needs a name")
    _check_name(parts[0], fail)
    language = None
    for option in parts[1:]:
        key, _, value = option.partition("=")
        if key != "lang" or not value:
            raise fail(f"unknown @user option {option} (known: lang=)")
        language = value
    return SetUser(parts[0], language)


def _check_name(name: str, fail) -> None:
    if not re.fullmatch(_NAME, name):
        raise fail(f"not a person's name: {name}")
    _check_person(name, fail)


def _split_unit(rest: str) -> tuple[str, str]:
    found = _UNIT.search(" " + rest)
    if not found:
        return rest, DEFAULT_UNIT
    return (" " + rest)[: found.start()].strip(), found.group("unit").strip()


def _staff(rest: str, fail) -> AddStaff:
    head, unit = _split_unit(rest)
    parts = head.split()
    if len(parts) < 2:
        raise fail(f"@staff needs a name and a role ({', '.join(ROLES)})")
    _check_name(parts[0], fail)
    for role in parts[1:]:
        if role not in ROLES:
            raise fail(f"unknown role {role} (roles: {', '.join(ROLES)})")
    return AddStaff(parts[0], tuple(parts[1:]), unit)


def _group(rest: str, fail) -> AddGroup:
    # `unregistered` may come last, after unit=..., or among the words before it.
    registered = not re.search(r"(?:^|\s)unregistered$", rest)
    if not registered:
        rest = rest[: -len("unregistered")].strip()
    head, unit = _split_unit(rest)
    parts = head.split()
    if "unregistered" in parts:
        registered = False
        parts = [part for part in parts if part != "unregistered"]
    if not parts:
        raise fail("@group needs a group name and its members")
    name = parts[0].removeprefix("#")
    if not re.fullmatch(_GROUP, name):
        raise fail(f"not a group name: {parts[0]}")
    for member in parts[1:]:
        _check_name(member, fail)
    return AddGroup(name, tuple(parts[1:]), unit, registered)


def _edit(rest: str, fail) -> Edit:
    found = re.match(rf"^(?P<actor>{_NAME})(?:@#?(?P<group>{_GROUP}))?\s+(?P<text>.+)$", rest)
    if not found:
        raise fail("@edit needs a name and the new text")
    _check_person(found.group("actor"), fail)
    return Edit(found.group("actor"), found.group("group"), found.group("text").strip())


def _advance(rest: str, fail) -> Advance:
    delta = parse_duration(rest)
    if delta is None:
        raise fail(f"not a duration (e.g. 1d 2h 30m): {rest}")
    return Advance(delta)


def _down(rest: str, fail) -> Down:
    delta = parse_duration(rest)
    if delta is None:
        raise fail(f"@down needs a duration (e.g. 3h): {rest}")
    return Down(delta)


def _at(rest: str, fail) -> At:
    found = re.match(r"^(\S+)\s+(\S+)$", rest)
    if not found:
        raise fail("@at needs YYYY-MM-DD HH:MM")
    return At(_local_time(found.group(1), found.group(2), fail))


def _chat(text: str, fail) -> str:
    if not re.fullmatch(_CHAT, text):
        raise fail(f"not a person or #group: {text}")
    if not text.startswith("#"):
        _check_person(text, fail)
    return text


def _capture(rest: str, fail) -> Capture:
    found = re.match(r"^(?P<var>[A-Za-z_]\w*)\s+(?P<chat>\S+)\s+/(?P<re>.*)/(?P<flags>i?)$", rest)
    if not found:
        raise fail("@capture needs NAME chat /regex/")
    try:
        pattern = re.compile(found.group("re"), re.IGNORECASE)
    except re.error as error:
        raise fail(f"bad regex: {error}") from None
    return Capture(found.group("var"), _chat(found.group("chat"), fail), pattern)


def _flush(rest: str, fail) -> Flush:
    return Flush(_chat(rest, fail) if rest else None)


def _block(blocked: bool):
    def parse(rest: str, fail) -> Block:
        if not rest:
            raise fail("needs a person or a #group")
        return Block(_chat(rest, fail), blocked)

    return parse


def _migrate(rest: str, fail) -> Migrate:
    if not re.fullmatch(rf"#{_GROUP}", rest):
        raise fail("@migrate needs a #group")
    return Migrate(rest[1:])


def _fault(rest: str, fail) -> Fault:
    found = re.match(r"^(\S+)(?:\s+(\d+))?$", rest)
    if not found or found.group(1) not in FAULTS:
        raise fail(f"@fault needs one of {', '.join(FAULTS)} and a count")
    count = int(found.group(2) or 1)
    if count < 1:
        raise fail("@fault needs a count of at least 1")
    return Fault(found.group(1), count)


def _restart(rest: str, fail) -> Restart:
    if rest:
        raise fail("@restart takes nothing more")
    return Restart()


def _crash(rest: str, fail) -> Crash:
    if rest not in ("", "on-send"):
        raise fail("@crash takes nothing or on-send")
    return Crash(on_send=rest == "on-send")


_AT_DIRECTIVES = {
    "@clock": _clock,
    "@user": _user,
    "@staff": _staff,
    "@group": _group,
    "@edit": _edit,
    "@advance": _advance,
    "@at": _at,
    "@capture": _capture,
    "@flush": _flush,
    "@block": _block(True),
    "@unblock": _block(False),
    "@migrate": _migrate,
    "@fault": _fault,
    "@restart": _restart,
    "@crash": _crash,
    "@down": _down,
}


def _expectation(kind):
    def parse(rest: str, fail):
        found = re.match(r"^(?P<chat>\S+?)\s*:\s*(?P<payload>.*)$", rest)
        if not found:
            raise fail("expected `chat: text` or `chat: /regex/`")
        chat = _chat(found.group("chat"), fail)
        payload = found.group("payload").strip()
        if not payload:
            raise fail("nothing to look for after the colon")
        try:
            return kind(chat, Matcher.parse(payload))
        except re.error as error:
            raise fail(f"bad regex: {error}") from None

    return parse


def _silence(rest: str, fail) -> ExpectSilence:
    if not rest:
        raise fail("expect-silence needs a person or a #group")
    return ExpectSilence(_chat(rest, fail))


# Longest keyword first: "expect-no" and "expect-silence" before "expect".
_EXPECTATIONS = (
    ("expect-silence", _silence),
    ("expect-no", _expectation(ExpectNo)),
    ("expect", _expectation(Expect)),
)
