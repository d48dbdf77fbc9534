"""The hostile-input suite: generated input through the real application, in every state.

Hypothesis walks a patient, a therapist, an admin or a stranger into a dialogue state (a
command, then some of the buttons it shows) and sends what a careless or hostile person might:
Unicode digits and numerals, maths and markup, right-to-left and zero-width characters, emoji,
5,000-character and empty texts, every command with odd arguments, stickers and photos where
text is expected, edits, repeated updates, stale and forged button data. After every example:
no handler failed (no error handler called, no apology queued), every update was handled, no
outbox row was given up, and crisis words raised a flag wherever a patient wrote them.

Derandomized (the same examples every run) and in-process (tests/harness/inprocess.py). One
database per test function, reused by its examples: each example starts a dialogue afresh.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.i18n import Translator
from programs.crisis_terms import load_rules
from tests.bot.commands import COMMANDS
from tests.harness.inprocess import InProcessBot, Person

# Over a minute in all: not in the fast tier (pytest -m "not scripts and not slow").
pytestmark = pytest.mark.slow

# HOSTILE_SCALE=0.1 for a quick look while working; CI runs the full count (>= 1,000 inputs).
SCALE = float(os.environ.get("HOSTILE_SCALE", "1"))


def examples(count: int) -> int:
    return max(1, int(count * SCALE))


SETTINGS = dict(
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# ---- what people send ----------------------------------------------------------------------

ODD_TEXTS = [
    "²",
    "² dagar",
    "٣",
    "١٢:٣٠",
    "１",
    "１７:３０",
    "߁",
    "৩",
    "Ⅻ",
    "½",
    "𝟕",
    "9" * 5000,
    "99999999999999999999",
    "-1",
    "+5",
    "0x10",
    "1e3",
    "17:30",
    "1٣:00",
    "24:00",
    "7.5",
    "NaN",
    "∞",
    "$\\foo$",
    "$x^2$",
    "<b>fet",
    "</b>",
    "<script>",
    "&amp;",
    "*_fet_*",
    "`kod`",
    "[länk](http://x)",
    "{name}",
    "{0}",
    "%s",
    "\u202eomvänd",
    "\u200b",
    "a\u200db",
    "\ufeff",
    "\u0000",
    "שלום",
    "مرحبا",
    "😀" * 30,
    "👨‍👩‍👧",
    "x" * 5000,
    "",
    " ",
    "\n\n",
    "/",
    "@ikbt_test_bot",
    "2026-02-30",
    "9999-12-31",
    "idag",
    "imorgon",
    "Europe/Stockholm",
    "22:00-07:00",
    "P1",
    # plausible answers, so that a walk gets deeper into a dialogue
    "2026-12-05",
    "Promenad",
    "5",
    "Hej, hur går det?",
]
WORDS = st.sampled_from(ODD_TEXTS) | st.text(max_size=12)
TEXTS = (
    st.sampled_from(ODD_TEXTS)
    | st.text(max_size=60)
    | st.lists(WORDS, min_size=1, max_size=4).map(" ".join)
    | st.builds(lambda n, word: f"{n} {word}", st.integers(-(10**30), 10**30), WORDS)
)
ARGS = st.lists(
    st.sampled_from(["P1", "phq9", "every", "stop", "export", "off", "depression", "self-help"])
    | WORDS.filter(lambda word: word.strip() and " " not in word and "\n" not in word),
    max_size=4,
)
FORGED = st.sampled_from(
    [
        "-|flag:show:99999999999999999999",
        "-|flag:handle:1",
        "-|flag:show:٣",
        "1|diary:part:morning",
        "-|rem:open:²",
        "-|rem:snooze:1,2,3,4,5",
        "-|rem:snooze:1,,²",
        "-|act:1:ja:11",
        "-|act:99999999999999999999:ask",
        "-|consent:yes:nonexistent",
        "-|consent:no:",
        "-|lang:xx",
        "-|msg:reply:1",
        "-|addon:²",
        "-|form:-1",
        "0|next",
        "99999999999999999999999|next",
        "|",
        "-|",
        "x|y",
        "",
    ]
) | st.builds(
    lambda mark, action: f"{mark}|{action}",
    st.sampled_from(["-", "0", "1", "2", "5", "20", "²"]),
    st.text(max_size=30),
)


@dataclass(frozen=True)
class Act:
    kind: str  # text | edit | command | sticker | photo | forged | stale | repeat | button
    text: str = ""
    args: tuple[str, ...] = ()
    index: int = 0


ACTS = st.one_of(
    st.builds(Act, st.just("text"), TEXTS),
    st.builds(Act, st.just("edit"), TEXTS),
    st.builds(
        Act,
        st.just("command"),
        st.sampled_from([*COMMANDS, "nonsense", "PAUSE", "start@ikbt_test_bot"]),
        ARGS.map(tuple),
    ),
    st.builds(Act, st.just("sticker")),
    st.builds(Act, st.just("photo"), st.none() | TEXTS),
    st.builds(Act, st.just("forged"), FORGED),
    st.builds(Act, st.just("stale"), index=st.integers(0, 50)),
    st.builds(Act, st.just("repeat"), index=st.integers(0, 50)),
    st.builds(Act, st.just("button"), index=st.integers(0, 20)),
)
# The way into a state: a command (or none) with no, a label's or a form's arguments, then
# some of the buttons it shows.
OPENERS = st.tuples(
    st.sampled_from([None, *COMMANDS]),
    st.sampled_from([(), ("P1",), ("P1", "phq9")]),
    st.lists(st.integers(0, 20), max_size=3),
)


# ---- the world: one bot per test function ----------------------------------------------------


class World:
    """The bot, a therapist, an admin, an enrolled patient and a stranger, driven from sync
    hypothesis tests through one event loop."""

    def __init__(self, folder):
        self._runner = asyncio.Runner()
        self.bot: InProcessBot = self.run(InProcessBot.start(folder))
        self.therapist = self.run(self.bot.add_staff(100, "Anna"))
        self.admin = self.run(self.bot.add_staff(101, "Bo", role="admin"))
        self.run(self.bot.add_staff(102, "Cilla", role="patient-admin"))
        self.run(self.bot.add_staff(103, "Dan"))  # a deputy for /cover
        self.patient = self.run(self.bot.enrol_patient(self.therapist, 200, "P1"))
        self.stranger = Person(900)
        self.people = {
            "patient": self.patient,
            "therapist": self.therapist,
            "admin": self.admin,
            "stranger": self.stranger,
        }
        self.updates: list[int] = []

    def run(self, coroutine):
        return self._runner.run(coroutine)

    def close(self) -> None:
        self.run(self.bot.close())
        self._runner.close()

    def open(self, person: Person, opener) -> None:
        command, args, presses = opener
        if command is not None:
            self.act(person, Act("command", command, args))
        for index in presses:
            self.act(person, Act("button", index=index))

    def act(self, person: Person, act: Act) -> None:
        bot = self.bot
        if act.kind == "text":
            update = bot.text(person, act.text)
        elif act.kind == "edit":
            update = bot.edit(person, act.text)
        elif act.kind == "command":
            update = bot.command(person, act.text, *act.args)
        elif act.kind == "sticker":
            update = bot.sticker(person)
        elif act.kind == "photo":
            update = bot.photo(person, act.text or None)
        elif act.kind == "forged":
            update = bot.press_data(person, act.text)
        elif act.kind in ("stale", "button"):
            buttons = bot.buttons(person) if act.kind == "stale" else bot.latest_buttons(person)
            if not buttons:
                return
            chosen = buttons[act.index % len(buttons)]
            update = bot.press_data(person, chosen["callback_data"], chosen["message_id"])
        elif act.kind == "repeat":
            if not self.updates:
                return
            update = bot.repeat(self.updates[act.index % len(self.updates)])
        else:
            raise AssertionError(act.kind)
        self.updates.append(self.run(update))

    def begin(self) -> tuple[int, int]:
        """Where this example starts: the newest outbox row and the errors so far."""
        return self.bot.last_outbox_id(), len(self.bot.errors)

    def check_nothing_failed(self, since: tuple[int, int]) -> None:
        bot = self.bot
        outbox_id, errors = since
        assert not bot.errors[errors:], f"a handler failed: {bot.errors[errors:]!r}"
        assert not bot.apologies(after=outbox_id), "an apology for an unexpected error was queued"
        assert not bot.unhandled_updates(), "an update was left unhandled"
        assert not bot.outbox_not_pending(), "an outbox row was given up or left half-done"

    def walk(self, person: Person, steps: tuple) -> None:
        """("cmd", name, *args), ("press", regex) on the newest buttons, ("press?", regex)
        when such a button may be there, or ("text", value)."""
        for kind, *rest in steps:
            if kind == "cmd":
                self.act(person, Act("command", rest[0], tuple(rest[1:])))
            elif kind == "text":
                self.act(person, Act("text", rest[0]))
            else:
                found = [
                    b
                    for b in self.bot.latest_buttons(person)
                    if re.search(rest[0], b["callback_data"])
                ]
                assert found or kind == "press?", f"no button {rest[0]!r} on the way"
                if found:
                    data, message_id = found[0]["callback_data"], found[0]["message_id"]
                    self.updates.append(self.run(self.bot.press_data(person, data, message_id)))

    def state(self, person: Person) -> tuple[str | None, str | None]:
        """The open dialogue and the step (or typed answer) it waits for."""
        row = self.bot.conn.execute(
            "SELECT dialogue, state_json FROM dialogue_state WHERE chat_id = ?",
            (person.chat_id,),
        ).fetchone()
        if row is None:
            return None, None
        data = json.loads(row["state_json"])
        return row["dialogue"], data.get("step") or data.get("awaiting")


@pytest.fixture
def world(tmp_path):
    world = World(tmp_path)
    yield world
    world.close()


def _crisis_phrases() -> list[str]:
    return sorted({text for rule in load_rules().rules for text in rule.examples.positive})


CRISIS = st.sampled_from(_crisis_phrases())


# ---- the properties -------------------------------------------------------------------------


PRESS = st.builds(Act, st.just("button"), index=st.integers(0, 20))


@settings(max_examples=examples(600), **SETTINGS)
@given(
    who=st.sampled_from(["patient", "patient", "therapist", "admin", "stranger"]),
    opener=OPENERS,
    acts=st.lists(ACTS | PRESS, min_size=1, max_size=6),
)
def test_any_input_in_any_state_is_answered_without_failing(world, who, opener, acts):
    person = world.people[who]
    since = world.begin()
    world.open(person, opener)
    for act in acts:
        world.act(person, act)
    world.check_nothing_failed(since)


# Every state that waits for something typed, the way there, and where it should be then.
REMINDERS = (("cmd", "reminders"), ("press?", r"\|resume$"), ("cmd", "reminders"))
PLAN = (("cmd", "plan", "P1"), ("press", r"\|new$"), ("text", "Promenad"))
COVER = (("cmd", "cover"), ("press", r"\|new$"), ("press", r"\|absent:"))
WAITING = {
    "pause": ("patient", (*REMINDERS, ("press", r"\|pause$")), ("reminders", "pause")),
    "timezone": ("patient", (*REMINDERS, ("press", r"\|tz$")), ("reminders", "timezone")),
    "quiet": ("patient", (*REMINDERS, ("press", r"\|quiet$")), ("reminders", "quiet")),
    "time": ("patient", (*REMINDERS, ("press", r"\|time:\d+$")), ("reminders", "time")),
    "diary activity": ("patient", (("cmd", "diary"), ("press", r"\|part:")), ("diary", None)),
    "diary mood": (
        "patient",
        (("cmd", "diary"), ("press", r"\|part:"), ("text", "Promenad")),
        ("diary", "mood"),
    ),
    "plan what": ("patient", (("cmd", "activities"), ("press", r"\|plan$")), ("plan", "what")),
    "plan time": (
        "patient",
        (("cmd", "activities"), ("press", r"\|plan$"), ("text", "Städa"), ("press", r"\|day:")),
        ("plan", "time"),
    ),
    "activity": (
        "patient",
        (("cmd", "activities"), ("press", r"\|add:vill")),
        ("activities", "text"),
    ),
    "message": ("patient", (("cmd", "message"),), ("message", "text")),
    "staff plan type": ("therapist", PLAN, ("staff_plans", "type")),
    "staff plan times": (
        "therapist",
        (*PLAN, ("press", r"\|type:"), ("press", r"\|every:1$")),
        ("staff_plans", "times"),
    ),
    "staff plan start": (
        "therapist",
        (*PLAN, ("press", r"\|type:"), ("press", r"\|every:1$"), ("text", "17:30")),
        ("staff_plans", "start"),
    ),
    "welcome": (
        "therapist",
        (("cmd", "patient", "P1"), ("press", r"\|welcome$")),
        ("patients", "welcome"),
    ),
    "schedule time": (
        "therapist",
        (("cmd", "schedule", "P1"), ("press", r"\|time:\d+$")),
        ("reminders", "time"),
    ),
    "cover deputy": ("admin", COVER, ("cover", "deputy")),
    "cover first": ("admin", (*COVER, ("press", r"\|deputy:")), ("cover", "first")),
    "cover last": (
        "admin",
        (*COVER, ("press", r"\|deputy:"), ("text", "imorgon")),
        ("cover", "last"),
    ),
    "unit quiet": ("admin", (("cmd", "unit"), ("press", r"\|quiet$")), ("unit", "quiet")),
    "unit time": ("admin", (("cmd", "unit"), ("press", r"\|time:depression:")), ("unit", "time")),
}
TYPED = st.one_of(
    st.builds(Act, st.sampled_from(["text", "edit"]), TEXTS),
    st.builds(Act, st.just("sticker")),
    st.builds(Act, st.just("photo"), st.none() | TEXTS),
)


@settings(max_examples=examples(300), **SETTINGS)
@given(waiting=st.sampled_from(sorted(WAITING)), acts=st.lists(TYPED, min_size=1, max_size=3))
def test_every_waiting_state_takes_anything_typed_and_stays(world, waiting, acts):
    """Whatever is typed (or sent instead) where the bot waits for a typed answer: an
    answer or the expected format, never a failure, and the dialogue is not left while it
    still waits (a sticker or a garbled answer keeps the question and what came before)."""
    who, steps, expected = WAITING[waiting]
    person = world.people[who]
    world.bot.conn.execute("DELETE FROM activities")  # earlier examples filled the lists
    world.walk(person, steps)
    dialogue, step = world.state(person)
    assert (dialogue, step) == expected or (expected[1] is None and dialogue == expected[0])
    since = world.begin()
    for act in acts:
        waits = world.state(person)
        world.act(person, act)
        if waits[1] is not None or waits[0] == "diary":  # an answer ends the waiting
            assert world.state(person)[0] == waits[0], f"{waiting}: {act.kind} left {waits}"
    world.check_nothing_failed(since)


@settings(max_examples=examples(250), **SETTINGS)
@given(
    opener=OPENERS,
    before=st.lists(ACTS, max_size=2),
    how=st.sampled_from(["text", "edit", "photo", "message", "pause", "diary", "reminders"]),
    prefix=TEXTS,
    phrase=CRISIS,
    suffix=TEXTS,
)
def test_crisis_words_anywhere_in_a_patients_input_raise_a_flag(
    world, opener, before, how, prefix, phrase, suffix
):
    """The phrase stands in a sentence of its own (an exclusion like "vill inte" before it
    may rightly cancel it within one sentence); around it anything at all."""
    person = world.patient
    since = world.begin()
    world.open(person, opener)
    for act in before:
        world.act(person, act)
    triggers = world.bot.count("flag_triggers")
    written = f"{prefix}\n{phrase}\n{suffix}"
    if how in ("message", "pause", "diary", "reminders"):  # a command's words are read too
        world.act(person, Act("command", how, tuple(written.split()) or (phrase,)))
    else:
        world.act(person, Act(how, written))
    world.check_nothing_failed(since)
    assert world.bot.count("flag_triggers") > triggers, f"no flag for {how}: {phrase!r}"


@settings(max_examples=examples(200), **SETTINGS)
@given(
    activity=st.sampled_from(["Promenad", "Ringde mamma", "Städade"]),
    number=st.integers(1, 10**6),
    part_index=st.integers(0, 3),
    garbage=st.lists(ACTS.filter(lambda act: act.kind != "button"), min_size=1, max_size=4),
)
def test_a_diary_entry_survives_garbage_in_the_middle(world, activity, number, part_index, garbage):
    """What was entered stays: a diary part's activity, whatever comes next (anything but
    pressing the dialogue's own current buttons, which may rightly change it)."""
    bot, person = world.bot, world.patient
    since = world.begin()
    world.act(person, Act("command", "diary"))
    parts = [b for b in bot.latest_buttons(person) if "|part:" in b["callback_data"]]
    assert parts, "the diary shows no parts of the day"
    chosen = parts[part_index % len(parts)]
    bot_run = world.run
    world.updates.append(
        bot_run(bot.press_data(person, chosen["callback_data"], chosen["message_id"]))
    )
    entry = f"{activity} {number}"
    world.act(person, Act("text", entry))
    for act in garbage:
        world.act(person, act)
    world.check_nothing_failed(since)
    stored = bot.conn.execute(
        "SELECT activity FROM diary_entries WHERE patient_id = 1 AND activity = ?", (entry,)
    ).fetchall()
    assert stored, f"the diary entry {entry!r} was lost"


@settings(max_examples=examples(100), **SETTINGS)
@given(
    who=st.sampled_from(["patient", "therapist", "admin", "stranger"]),
    data=FORGED,
    repeats=st.integers(1, 3),
)
def test_forged_stale_and_repeated_presses_are_answered(world, who, data, repeats):
    person = world.people[who]
    since = world.begin()
    answered = len(world.bot.answered_callbacks())
    update = world.run(world.bot.press_data(person, data))
    for _ in range(repeats):
        world.run(world.bot.repeat(update))
    world.check_nothing_failed(since)
    assert len(world.bot.answered_callbacks()) == answered + 1  # once: a repeat changes nothing


@settings(max_examples=examples(50), **SETTINGS)
@given(how=st.sampled_from(["text", "edit"]), prefix=TEXTS, phrase=CRISIS)
def test_a_stranger_with_crisis_words_gets_the_crisis_contacts(world, how, prefix, phrase):
    bot = world.bot
    since = world.begin()
    world.act(world.stranger, Act(how, f"{prefix}\n{phrase}"))
    world.check_nothing_failed(since)
    contacts = Translator("sv")("crisis.text")
    assert any(contacts in text for text in bot.texts(world.stranger, after=since[0]))


def test_time_moves_and_the_suite_still_holds(world):
    """A day later (new diary day, reminders due) the same world still answers."""
    world.bot.advance(timedelta(days=1))
    since = world.begin()
    world.act(world.patient, Act("command", "diary"))
    world.check_nothing_failed(since)
