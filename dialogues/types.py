"""The shapes that pass between the bot layer and the dialogues.

A dialogue is a pure function: it gets what a person did (`Incoming`) and what it needs to
know, and returns an `Outcome`: the replies to send and the changes to store. It never
touches the network, the database or the system clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

IncomingKind = Literal["command", "text", "button", "media", "edited", "membership"]


@dataclass(frozen=True)
class Incoming:
    """What a person did in their private chat (in a group: `/channel`, or people joining)."""

    kind: IncomingKind
    command: str = ""  # lower-case, without '/' and '@botname'
    args: tuple[str, ...] = ()
    text: str = ""
    action: str = ""  # a button's action, once the bot layer has checked it is current
    joined: tuple[tuple[int, str], ...] = ()  # people who joined a group: (user id, first name)


@dataclass(frozen=True)
class Button:
    """An inline button. `action` is what the dialogue gets back when it is pressed; the bot
    layer stamps it with the dialogue's revision, so an old button is recognised as stale.
    A `stateless` action carries everything it needs (e.g. an invite code) and is valid as
    long as what it names is."""

    label: str
    action: str = ""
    url: str | None = None
    stateless: bool = False


Keyboard = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True)
class Reply:
    """A message to the person: HTML text (content escaped by the dialogue) and buttons."""

    text: str
    buttons: Keyboard = ()
    edit_pressed: bool = False  # replace the message whose button was pressed, not a new one
    chart: dict | None = (
        None  # a chart (bot.render.charts.ChartSpec as JSON) sent as a photo; text = caption
    )
    document: tuple[str, str] | None = None  # (file name, text) sent as a file; text = caption
    safety: bool = False  # a safety message (crisis contacts after a risk signal): safety lane


@dataclass(frozen=True)
class Event:
    """Something that happened, for the timeline: a type and ids, never patient text."""

    type: str
    details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Next:
    """What follows an outcome, as data: open `dialogue` at its `entry` with `args` (plain
    values). The router carries it out in the same turn, so no route calls another route.
    `Next(CURRENT_TASK)` is "then what the patient should do now"."""

    dialogue: str
    entry: str = "open"
    args: tuple = ()


CURRENT_TASK = "current_task"


@dataclass(frozen=True)
class Outcome:
    replies: tuple[Reply, ...] = ()
    toast: str | None = None  # the short notice on a button press
    events: tuple[Event, ...] = ()
    dialogue: str | None = None  # the dialogue whose buttons these replies carry (None: none)
    data: dict | None = None  # that dialogue's new state (None: keep it; {} when it changes)
    next: Next | None = None  # what the router opens after this outcome (in the same turn)

    def then(self, other: Outcome) -> Outcome:
        """This outcome followed by another (replies in order, the latest toast wins)."""
        if self.next is not None:
            # What follows this outcome has not run yet: `other` cannot come before it.
            raise ValueError(f"an outcome followed by {self.next} cannot be extended")
        return Outcome(
            replies=self.replies + other.replies,
            toast=other.toast or self.toast,
            events=self.events + other.events,
            dialogue=other.dialogue or self.dialogue,
            data=other.data if other.data is not None else self.data,
            next=other.next,
        )

    def followed_by(self, dialogue: str, entry: str = "open", *args) -> Outcome:
        """This outcome, then the entry `entry` of `dialogue` (carried out by the router)."""
        return self.then(Outcome(next=Next(dialogue, entry, args)))


def then_open(dialogue: str, entry: str = "open", *args) -> Outcome:
    """Nothing of its own: open `dialogue` at `entry` (a route handing over to another)."""
    return Outcome(next=Next(dialogue, entry, args))


def then_current_task(outcome: Outcome | None = None) -> Outcome:
    """`outcome` (or nothing), then what the patient should do now."""
    return (outcome or Outcome()).followed_by(CURRENT_TASK)


def rows(*buttons: Button | None) -> Keyboard:
    """One button per row, skipping None."""
    return tuple((button,) for button in buttons if button is not None)


def row(*buttons: Button | None) -> tuple[Button, ...]:
    return tuple(button for button in buttons if button is not None)
