"""What each step of a program becomes as a Telegram message, measured for the content gate
(`python -m bot programs check`, programs/gate.py).

Every step of every module, in every language, is shown through the module dialogue itself
(dialogues/module_steps.py) in its longest form: with the therapist's longest welcome above
module 1's first step, with the longest answer preview under an exercise, with the chosen
option ticked; and every module's end with all its exercises unanswered (each is listed).
Each message is measured as Telegram counts it (bot/render/message_parts.py): at most 4,096
of visible text. Each button: a label that is not blank and within BUTTON_LABEL_LIMIT, and
callback data within 64 bytes with the largest revision the bot can stamp on it
(bot/render/calls.py). The bot would split a long message rather than fail, but a step that
needs two messages is a step to shorten.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from bot.i18n import Translator
from bot.render.calls import MAX_CALLBACK_BYTES, callback_data
from bot.render.message_parts import TEXT_LIMIT, utf16_length, visible_length
from dialogues.module_steps import ANSWER_PREVIEW_CHARS, ModuleView, Position, show_current
from dialogues.module_steps import handle as module_handle
from dialogues.numbers import MAX_ID
from dialogues.patient_overview import MAX_WELCOME_CHARS
from dialogues.types import Button, Incoming, Reply
from programs.gate import module_path
from programs.loader import Problem, Program, parse_yaml
from programs.models import ChoiceExercise, Module

# Telegram publishes no limit for a button's text; phones cut a long one short. Option labels
# are held to 40 characters by the program format (programs/models.py MAX_LABEL); this is the
# ceiling for a label as shown, the tick of a chosen option and the catalogue's labels too.
BUTTON_LABEL_LIMIT = 64
LONGEST_ANSWER = "x" * (ANSWER_PREVIEW_CHARS + 1)  # shown cut short, as the longest preview


def message_problems(program: Program) -> list[Problem]:
    """Every step and module end of `program` within Telegram's limits, as FILE:LINE."""
    problems: list[Problem] = []
    for lang in program.languages:
        t = Translator(lang)
        for module in program.modules(lang):
            path = module_path(program, lang, module.number)
            problems += _module_problems(module, path, t)
    return list(dict.fromkeys(problems))  # one button can be measured in two forms


def _module_problems(module: Module, path: Path, t: Translator) -> list[Problem]:
    doc, _ = parse_yaml(path)
    if doc is None:
        return []
    # An outline is measured too (as if complete), so a writer hears early.
    shown = module.model_copy(update={"status": "complete"})
    problems: list[Problem] = []
    for index, step in enumerate(module.steps):
        line = doc.line(("steps", index))
        for reply in _step_forms(shown, index, t):
            problems += _reply_problems(reply, path, line, f"step '{step.id}'")
    if module.summary:
        for reply in _module_end(shown, t):
            problems += _reply_problems(reply, path, doc.line(("summary",)), "the module's end")
    return problems


def _step_forms(module: Module, index: int, t: Translator) -> Iterator[Reply]:
    """The step's messages unanswered and answered, each in its longest form."""
    welcome = "x" * MAX_WELCOME_CHARS if module.number == 1 and index == 0 else None
    step = module.steps[index]
    for answers in ({}, {step.id: _longest_answer(step)}):
        view = ModuleView(module, Position(index, False), answers, welcome, messaging=True)
        yield from show_current(view, t).replies


def _longest_answer(step) -> str:
    exercise = step.exercise
    if isinstance(exercise, ChoiceExercise):
        return max(exercise.options, key=lambda option: len(option.label)).id
    return LONGEST_ANSWER


def _module_end(module: Module, t: Translator) -> Iterator[Reply]:
    """The module's end, reached with every exercise unanswered."""
    last = Position(len(module.steps) - 1, False)
    view = ModuleView(module, last, {}, None, messaging=True)
    outcome, _ = module_handle(view, Incoming(kind="button", action="next"), t)
    yield from outcome.replies


def _reply_problems(reply: Reply, path: Path, line: int, what: str) -> list[Problem]:
    problems: list[Problem] = []
    length = visible_length(reply.text)
    if length > TEXT_LIMIT:
        problems.append(
            Problem(
                path,
                line,
                f"{what}: a message of {length} characters as sent, over Telegram's {TEXT_LIMIT}",
            )
        )
    for buttons in reply.buttons:
        problems += [
            Problem(path, line, f"{what}: {message}")
            for button in buttons
            if (message := _button_problem(button))
        ]
    return problems


def _button_problem(button: Button) -> str | None:
    if not button.label.strip():
        return "a button without a label"
    if utf16_length(button.label) > BUTTON_LABEL_LIMIT:
        return f"button '{button.label}' is over {BUTTON_LABEL_LIMIT} characters"
    if button.url:
        return None
    try:
        callback_data(button, MAX_ID)
    except ValueError:
        size = len(f"{MAX_ID}|{button.action}".encode())
        return (
            f"a button's data '{button.action}' is {size} bytes with its revision, "
            f"over Telegram's {MAX_CALLBACK_BYTES}: shorten the id in it"
        )
    return None
