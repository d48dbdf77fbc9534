"""Wizards: dialogues that ask one question at a time, check each answer, then confirm.
Pure. Activity plans, staff plans, cover, reminder settings and unit settings are wizards.

A wizard's state is a pydantic model, a subclass of `WizardState`, stored as the JSON dict
of the chat's dialogue_state row: `dump()` writes it, `load()` reads it back. `step` is the
question open now and `awaiting` is set while typed text belongs to the wizard (bot/routes.py
`_awaits_text` reads it): a typed answer where a button is expected then gets "use the
buttons" and the same question again, never the dialogue left behind. `NEEDS` says what a
step needs answered before it can be shown, so a loaded state always can be.

A stored state that does not fit its model (from an older version, forged, or missing what
its step needs) is no error: `load` returns None and the wizard starts again from its first
page with a kind word (`restarted`), so nobody meets a crash.

A typed answer is read by a function from the text to a value or to `Invalid` (why not, as
a catalogue key): the wizard asks the same question again with that reason above it, the
state unchanged, so nothing entered so far is lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from typing import Annotated, ClassVar, Self

from pydantic import BaseModel, ConfigDict, PlainSerializer, ValidationError, model_validator

from dialogues.types import Button, Keyboard, Outcome, Reply, row

ClockTime = Annotated[time, PlainSerializer(lambda at: at.strftime("%H:%M"), return_type=str)]
"""A time of day, stored as "HH:MM" (as people type and read it)."""


class Answers(BaseModel):
    """Typed answers, stored as JSON; keys it does not know are ignored."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    def but(self, **changes: object) -> Self:
        """These answers with some changed, checked like loaded ones."""
        return self.model_validate({**self.model_dump(), **changes})


class WizardState(Answers):
    """What a wizard has been told so far and what it asks now. Subclasses add their
    answers (None until given), or a draft of them, and narrow `step` to their steps."""

    # step -> the answers it needs (attribute names of `answers()`)
    NEEDS: ClassVar[Mapping[str, tuple[str, ...]]] = {}

    step: str | None = None  # the question open now; None: none
    awaiting: str | None = None  # set while typed text is the wizard's ("text", or what it is)

    def answers(self) -> BaseModel:
        """Where the answers live (a wizard may keep them in a draft of their own)."""
        return self

    @model_validator(mode="after")
    def _has_what_its_question_needs(self) -> Self:
        question = self.step or self.awaiting
        answers = self.answers()
        missing = [
            name for name in self.NEEDS.get(question or "", ()) if getattr(answers, name) is None
        ]
        if missing:
            raise ValueError(f"{question} needs {', '.join(missing)}")
        return self

    @classmethod
    def load(cls, data: object) -> Self | None:
        """The state stored as `data`, or None when it does not fit (start again)."""
        try:
            return cls.model_validate(data if data is not None else {})
        except ValidationError:
            return None

    def dump(self) -> dict:
        return self.model_dump(mode="json")


@dataclass(frozen=True)
class Invalid:
    """Why a typed answer cannot be taken: a catalogue key and its parameters."""

    key: str
    params: dict = field(default_factory=dict)

    def text(self, t) -> str:
        return t(self.key, **self.params)


def restarted(t) -> str:
    """The kind word when a stored state could not be read and the wizard starts again."""
    return t("wizard.restarted")


@dataclass(frozen=True)
class Wizard:
    """One wizard's way of asking: its dialogue and the catalogue keys of its words."""

    dialogue: str
    cancel_key: str  # the label of its "Avbryt" button (action "cancel")
    use_buttons_key: str  # said when text comes where a button is expected

    def cancel_button(self, t) -> Button:
        return Button(t(self.cancel_key), "cancel")

    def ask(
        self,
        t,
        state: WizardState,
        text: str,
        keyboard: Keyboard = (),
        *,
        notice: str = "",
        cancel: bool = True,
        edit_pressed: bool = False,
    ) -> Outcome:
        """A question: `notice` (why it is asked again) above its text, its buttons with
        Avbryt in a row of its own (`cancel=False`: the keyboard has it), and the state to
        store while it is open."""
        if cancel:
            keyboard = tuple(keyboard) + (row(self.cancel_button(t)),)
        text = notice + "\n\n" + text if notice else text
        reply = Reply(text, tuple(keyboard), edit_pressed=edit_pressed)
        return Outcome(replies=(reply,), dialogue=self.dialogue, data=state.dump())

    def confirm(
        self,
        t,
        state: WizardState,
        text: str,
        save: Button,
        *,
        options: Keyboard = (),
        beside_cancel: Button | None = None,
    ) -> Outcome:
        """The last question: all that was entered (`text`), buttons to change an option,
        the save button, then Avbryt (with `beside_cancel` before it in the same row)."""
        keyboard = tuple(options) + (row(save), row(beside_cancel, self.cancel_button(t)))
        return self.ask(t, state, text, keyboard, cancel=False)

    def use_buttons(self, t, question: Outcome) -> Outcome:
        """Text where a button is expected: say so, then the same question again."""
        return say(t(self.use_buttons_key)).then(question)

    def end(self, text: str) -> Outcome:
        """The wizard closes with a last word; nothing of it stays open."""
        return Outcome(replies=(Reply(text),), dialogue=self.dialogue, data={})


def say(text: str) -> Outcome:
    """A word on its own; whatever is open stays open as it was."""
    return Outcome(replies=(Reply(text),))
