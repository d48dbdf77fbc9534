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
class Outcome:
    replies: tuple[Reply, ...] = ()
    toast: str | None = None  # the short notice on a button press
    events: tuple[Event, ...] = ()
    dialogue: str | None = None  # the dialogue whose buttons these replies carry (None: none)
    data: dict | None = None  # that dialogue's new state (None: keep it; {} when it changes)

    def then(self, other: Outcome) -> Outcome:
        """This outcome followed by another (replies in order, the latest toast wins)."""
        return Outcome(
            replies=self.replies + other.replies,
            toast=other.toast or self.toast,
            events=self.events + other.events,
            dialogue=other.dialogue or self.dialogue,
            data=other.data if other.data is not None else self.data,
        )


def rows(*buttons: Button | None) -> Keyboard:
    """One button per row, skipping None."""
    return tuple((button,) for button in buttons if button is not None)


def row(*buttons: Button | None) -> tuple[Button, ...]:
    return tuple(button for button in buttons if button is not None)
