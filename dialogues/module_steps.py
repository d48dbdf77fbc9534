"""Working through a module, one step at a time (see module_steps.mmd).

The patient sees one step per message: "Steg 3 av 9", the step's text, its film or audio as
a text version, and its exercise. Nästa/Tillbaka move between steps; a free-text exercise
is answered by writing a message, a choice exercise by pressing an option. Answers never
move the patient on by themselves, so a late or repeated press cannot skip a step. After the
last step the module's summary is shown.

An answer is never lost: text typed on an exercise that already has an answer is held in
the dialogue's state (`ModuleState.pending`) and the person chooses Ersätt / Lägg till /
Behåll. Text with crisis terms is held the same way even without an earlier answer (its
flag and the safety message are the router's), and is saved only if the person chooses so.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from html import escape

from dialogues.module_opening import module_name
from dialogues.types import Button, Event, Incoming, Outcome, Reply, row
from dialogues.wizard import Answers, WizardState

DIALOGUE = "module"
ANSWER_PREVIEW_CHARS = 600
REFLECTION = "reflection"  # the answer to the module's follow-up question (not a step)
CHOOSING = "choose"  # ModuleState.step while a typed answer waits for the person's choice


class PendingAnswer(Answers):
    """Text typed on an exercise, not saved yet: it waits for the person's choice."""

    module: int
    step: str  # the step's id
    text: str
    crisis: bool = False  # it had crisis terms: nothing is saved unless the person chooses


class ModuleState(WizardState):
    """The module dialogue's state: the add-on module being read (None: the current module)
    and a typed answer waiting for a choice."""

    NEEDS = {CHOOSING: ("pending",)}

    module: int | None = None
    pending: PendingAnswer | None = None

    def holding(self, pending: PendingAnswer | None) -> ModuleState:
        return self.but(
            pending=pending.model_dump() if pending else None, step=CHOOSING if pending else None
        )


@dataclass(frozen=True)
class Position:
    """`step_index` is the step shown; one past the last step means the patient is at the
    module's end (its summary). `finished` records that the module was finished once, and
    stays true while the patient reads it again."""

    step_index: int
    finished: bool

    def at_end(self, step_count: int) -> bool:
        return self.step_index >= step_count


@dataclass(frozen=True)
class ModuleView:
    """What the dialogue needs to know: the module's content in the patient's language,
    where the patient stands, and their answers in this module (step id -> value)."""

    module: object  # programs.models.Module
    position: Position
    answers: dict[str, str]
    welcome: str | None = None  # the therapist's greeting, shown above module 1's first step
    messaging: bool = True  # False in self-help mode: no "Skriv till din behandlare"
    addon: bool = False  # an add-on module: named by its title, never by its number
    last: bool = False  # the last core module: no next module opens after it
    opening: str = "therapist"  # who opens the next module: "therapist" | "weekly"
    state: ModuleState = ModuleState()

    def pending_here(self) -> PendingAnswer | None:
        """The typed answer waiting for a choice, if it belongs to the step shown now."""
        pending = self.state.pending
        steps = self.module.steps
        if pending is None or pending.module != self.module.number:
            return None
        if self.position.at_end(len(steps)) or steps[self.position.step_index].id != pending.step:
            return None
        return pending


@dataclass(frozen=True)
class Change:
    """What to store after a module action."""

    position: Position | None = None
    answer: tuple[str, str] | None = None  # (step id, value)


def item_key(module_number: int, step_id: str) -> str:
    return f"module-{module_number}/{step_id}"


def show_current(view: ModuleView, t) -> Outcome:
    if view.module.status != "complete":
        return Outcome(replies=(Reply(_about(view, "module.not_available", t)),))
    if view.position.at_end(len(view.module.steps)):
        return _finished_view(view, t)
    return Outcome(replies=_step_replies(view, t), dialogue=DIALOGUE)


def handle(
    view: ModuleView, incoming: Incoming, t, *, crisis: bool = False
) -> tuple[Outcome, Change]:
    """`crisis`: the typed text has crisis terms (read by the bot layer)."""
    if view.module.status != "complete":
        return show_current(view, t), Change()
    if incoming.kind == "text":
        return _on_text(view, incoming.text, t, crisis)
    if incoming.kind == "button":
        return _on_action(view, incoming.action, t)
    return show_current(view, t), Change()


def _on_action(view: ModuleView, action: str, t) -> tuple[Outcome, Change]:
    steps = view.module.steps
    index = view.position.step_index
    if action.startswith("answer:"):
        return _on_choice(view, action.removeprefix("answer:"), t)
    if view.position.at_end(len(steps)) and action != "again":
        return Outcome(toast=t("button.stale")).then(show_current(view, t)), Change()
    if action == "next":
        if index + 1 < len(steps):
            return _move_to(view, index + 1, t)
        return _finish(view, t)
    if action == "back" and index > 0:
        return _move_to(view, index - 1, t)
    if action == "again":
        return _move_to(view, 0, t)
    if action.startswith("opt:"):
        return _on_option(view, action.removeprefix("opt:"), t)
    return Outcome(toast=t("button.stale")).then(show_current(view, t)), Change()


def _move_to(view: ModuleView, index: int, t) -> tuple[Outcome, Change]:
    position = Position(index, view.position.finished)
    moved = replace(view, position=position)
    outcome = Outcome(replies=_step_replies(moved, t), dialogue=DIALOGUE, data=_released(view))
    return outcome, Change(position=position)


def _released(view: ModuleView) -> dict | None:
    """Moving on from a step lets go of text held there (its question was answered by the
    move: the person saw it, with the step, and went on); None: nothing held, state kept."""
    return view.state.holding(None).dump() if view.state.pending else None


def _finish(view: ModuleView, t) -> tuple[Outcome, Change]:
    module = view.module
    position = Position(len(module.steps), True)
    unanswered = [
        step.title
        for step in module.steps
        if step.exercise is not None and step.exercise.required and step.id not in view.answers
    ]
    text = _about(view, "module.finished_title", t)
    text += "\n\n" + escape(module.summary.strip())
    if unanswered:
        listed = "\n".join(f"• {escape(title)}" for title in unanswered)
        text += "\n\n" + t("module.unanswered", steps=listed)
    what_next = _what_next(view, t)
    if what_next:
        text += "\n\n" + what_next
    events = (
        () if view.position.finished else (Event("module_finished", {"module": module.number}),)
    )
    keyboard = (row(_write_button(view, t)), row(Button(t("module.button.read_again"), "again")))
    reply = Reply(text, tuple(buttons for buttons in keyboard if buttons))
    outcome = Outcome(replies=(reply,), events=events, dialogue=DIALOGUE, data=_released(view))
    return outcome, Change(position=position)


def _about(view: ModuleView, key: str, t) -> str:
    """`key` about this module; an add-on has its own wording (`<key>_addon`), naming it by
    its title ("Tillägg: Problemlösning")."""
    module = view.module
    if view.addon:
        return t(key + "_addon", name=escape(module_name(module.number, module.title, True, t)))
    return t(key, number=module.number, title=escape(module.title))


def _what_next(view: ModuleView, t) -> str:
    """What happens after a finished module, truthfully: who opens the next one, and when."""
    if view.addon or view.last:
        return t("module.therapist_reads") if view.messaging else ""
    if view.opening == "weekly":
        # In self-help mode nobody gives feedback: the next module opens after the week.
        return t("module.next_opens_later" if view.messaging else "module.next_opens_self_help")
    if view.messaging:
        return t("module.next_by_therapist")
    return t("module.next_by_therapist_self_help")


def _write_button(view: ModuleView, t) -> Button | None:
    """At a module's end: write to the therapist (not in self-help mode)."""
    return Button(t("module.button.write"), "write") if view.messaging else None


def _finished_view(view: ModuleView, t) -> Outcome:
    text = _about(view, "module.already_finished", t)
    what_next = _what_next(view, t)
    if what_next:
        text += "\n\n" + what_next
    reflect = (
        Button(t("module.button.reflect"), "reflect") if REFLECTION not in view.answers else None
    )
    keyboard = (
        row(reflect),
        row(_write_button(view, t)),
        row(Button(t("module.button.read_again"), "again")),
    )
    reply = Reply(text, tuple(buttons for buttons in keyboard if buttons))
    return Outcome(replies=(reply,), dialogue=DIALOGUE)


def _on_option(view: ModuleView, option_id: str, t) -> tuple[Outcome, Change]:
    step = view.module.steps[view.position.step_index]
    exercise = step.exercise
    options = {option.id: option for option in exercise.options} if exercise else {}
    if exercise is None or exercise.kind != "choice" or option_id not in options:
        return Outcome(toast=t("button.stale")).then(show_current(view, t)), Change()
    answers = {**view.answers, step.id: option_id}
    updated = replace(view, answers=answers)
    replies = _step_replies(updated, t)
    edited = replies[:-1] + (Reply(replies[-1].text, replies[-1].buttons, edit_pressed=True),)
    event = Event("answer_saved", {"item": item_key(view.module.number, step.id)})
    outcome = Outcome(
        replies=edited,
        toast=t("module.saved_choice", label=options[option_id].label),
        events=(event,),
        dialogue=DIALOGUE,
    )
    return outcome, Change(answer=(step.id, option_id))


def _on_text(view: ModuleView, text: str, t, crisis: bool) -> tuple[Outcome, Change]:
    if view.position.at_end(len(view.module.steps)):
        return Outcome(replies=(Reply(t("input.text")),)).then(_finished_view(view, t)), Change()
    step = view.module.steps[view.position.step_index]
    exercise = step.exercise
    if exercise is None or exercise.kind != "free_text":
        hint = t("module.no_text_here") if exercise is None else t("module.choose_option")
        return Outcome(replies=(Reply(hint),)).then(show_current(view, t)), Change()
    value = text.strip()
    if not value:
        return Outcome(replies=(Reply(t("module.empty_answer")),)), Change()
    waiting = view.pending_here()
    if waiting is not None:  # more typed while a choice is open: added to what waits
        held = waiting.but(text=waiting.text + "\n\n" + value, crisis=waiting.crisis or crisis)
        return ask_choice(view, held, t), Change()
    if crisis or step.id in view.answers:
        held = PendingAnswer(module=view.module.number, step=step.id, text=value, crisis=crisis)
        return ask_choice(view, held, t), Change()
    return _saved(view, step, value, "module.answer_saved", t)


def ask_choice(view: ModuleView, pending: PendingAnswer, t) -> Outcome:
    """What to do with typed text that is not saved yet: Ersätt / Lägg till / Behåll when
    the exercise has an answer, else (crisis terms) Spara som svar / Spara inte."""
    saved = view.answers.get(pending.step)
    parts = [t("module.choice.not_saved")] if pending.crisis else []
    if saved:
        parts.append(t("module.choice.has_answer", answer=_preview(saved)))
        parts.append(t("module.choice.new_text", answer=_preview(pending.text)))
        parts.append(t("module.choice.question"))
        keyboard = (
            (
                Button(t("module.button.replace"), "answer:replace"),
                Button(t("module.button.add"), "answer:add"),
            ),
            (Button(t("module.button.keep"), "answer:keep"),),
        )
    else:
        parts.append(t("module.choice.save_question"))
        keyboard = (
            (
                Button(t("module.button.save"), "answer:save"),
                Button(t("module.button.dont_save"), "answer:drop"),
            ),
        )
    reply = Reply("\n\n".join(parts), keyboard)
    data = view.state.holding(pending).dump()
    return Outcome(replies=(reply,), dialogue=DIALOGUE, data=data)


def _on_choice(view: ModuleView, choice: str, t) -> tuple[Outcome, Change]:
    pending = view.pending_here()
    released = view.state.holding(None).dump()
    if pending is None:
        stale = Outcome(toast=t("button.stale")).then(show_current(view, t))
        return replace(stale, data=released), Change()
    step = view.module.steps[view.position.step_index]
    saved = view.answers.get(step.id)
    if choice in ("replace", "save") or (choice == "add" and not saved):
        key = "module.answer_updated" if saved else "module.answer_saved"
        outcome, change = _saved(view, step, pending.text, key, t, edit=True)
    elif choice == "add":
        value = saved + "\n\n" + pending.text
        outcome, change = _saved(view, step, value, "module.answer_added", t, edit=True)
    elif choice in ("keep", "drop"):
        key = "module.answer_kept" if saved else "module.answer_not_saved"
        reply = Reply(t(key), (_navigation(view.position.step_index, t),), edit_pressed=True)
        outcome, change = Outcome(replies=(reply,), dialogue=DIALOGUE), Change()
    else:
        outcome, change = (
            Outcome(toast=t("button.stale")).then(ask_choice(view, pending, t)),
            Change(),
        )
        return outcome, change
    return replace(outcome, data=released), change


def _saved(
    view: ModuleView, step, value: str, key: str, t, *, edit: bool = False
) -> tuple[Outcome, Change]:
    """`value` saved as the step's answer, with its confirmation."""
    confirmation = t(key)
    confirmation += "\n\n" + t("module.your_answer", answer=_preview(value))
    confirmation += "\n\n" + t("module.write_again_or_next")
    buttons = (_navigation(view.position.step_index, t),)
    event = Event("answer_saved", {"item": item_key(view.module.number, step.id)})
    reply = Reply(confirmation, buttons, edit_pressed=edit)
    outcome = Outcome(replies=(reply,), events=(event,), dialogue=DIALOGUE)
    return outcome, Change(answer=(step.id, value))


def _preview(value: str) -> str:
    shown = value if len(value) <= ANSWER_PREVIEW_CHARS else value[:ANSWER_PREVIEW_CHARS] + "…"
    return escape(shown)


def _navigation(index: int, t) -> tuple[Button, ...]:
    back = Button(t("module.button.back"), "back") if index > 0 else None
    return row(back, Button(t("module.button.next"), "next"))


def _step_replies(view: ModuleView, t) -> tuple[Reply, ...]:
    module = view.module
    index = view.position.step_index
    step = module.steps[index]
    replies: list[Reply] = []
    if step.media is not None:
        media_text = t(
            "module.media_" + step.media.kind, title=escape(step.media.title or step.title)
        )
        replies.append(Reply(media_text + "\n\n" + escape(step.media.text_version.strip())))
    parts = [
        _about(view, "module.heading", t),
        t("module.step_of", current=index + 1, total=len(module.steps)),
        f"<b>{escape(step.title)}</b>",
    ]
    if index == 0 and view.welcome:
        parts.append(t("module.welcome", text=escape(view.welcome.strip())))
    if index == 0 and getattr(module, "intro", None):
        parts.append(escape(module.intro.strip()))
    if step.text:
        parts.append(escape(step.text.strip()))
    keyboard: list[tuple[Button, ...]] = []
    exercise = step.exercise
    if exercise is not None:
        parts.append("✍️ <b>" + escape(exercise.prompt.strip()) + "</b>")
        answer = view.answers.get(step.id)
        if exercise.kind == "plan_activity":
            if answer:
                parts.append(t("module.planned", plan=_preview(answer)))
            parts.append(t("module.plan_hint"))
            label = "module.button.plan_another" if answer else "module.button.plan"
            keyboard.append((Button(t(label), "plan"),))
        elif exercise.kind == "free_text":
            if answer:
                parts.append(t("module.your_answer", answer=_preview(answer)))
                parts.append(t("module.write_to_change"))
            else:
                parts.append(t("module.write_answer"))
        else:
            for option in exercise.options:
                mark = "✓ " if option.id == answer else ""
                keyboard.append((Button(mark + option.label, "opt:" + option.id),))
    keyboard.append(_navigation(index, t))
    replies.append(Reply(_join(parts), tuple(keyboard)))
    return tuple(replies)


def _join(parts: list[str]) -> str:
    heading, step_of, *rest = parts
    return f"{heading}\n{step_of}\n\n" + "\n\n".join(rest)
