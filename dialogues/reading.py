"""The patient's reading view in maintenance (see reading.mmd). Pure.

In maintenance the patient keeps the modules they had (less those their therapist
deselected) to read: a list to pick a module, then its steps page by page, text only (no
exercise, nothing to write). Everything that would have them work answers with `closed`:
what is closed until when, what to do if they feel worse, and the way to the list.

The buttons are stateless (`read:list`, `read:<module>:<step index>`) and checked again
when pressed: they stay valid as long as the maintenance runs and the module is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from dialogues.numbers import parse_int
from dialogues.types import Button, Outcome, Reply, row

LIST = "read:list"
MAX_MODULE = 999  # module numbers in button data; programs have a dozen
MAX_STEP = 999  # a step's index in its module


def step_action(module: int, index: int) -> str:
    return f"read:{module}:{index}"


def parse_step(raw: str) -> tuple[int, int] | None:
    """(module, step index) from `<module>:<index>`; None when it is not that."""
    module, _, index = raw.partition(":")
    number, step = parse_int(module, 1, MAX_MODULE), parse_int(index, 0, MAX_STEP)
    if number is None or step is None:
        return None  # forged data too ('²' passes isdigit() but not int())
    return number, step


def _step_button(label: str, module: int, index: int) -> Button:
    return Button(label, step_action(module, index), stateless=True)


def _list_button(t) -> Button:
    return Button(t("reading.button.list"), LIST, stateless=True)


def told_patient(until: str, t) -> Reply:
    """The patient's note when their treatment goes into maintenance."""
    text = "\n\n".join((t("reading.told", until=until), t("reading.worse")))
    return Reply(text, (row(_list_button(t)),))


def closed(until: str, t) -> Outcome:
    """The word wherever the patient would work during maintenance."""
    text = "\n\n".join((t("reading.closed", until=until), t("reading.worse")))
    return Outcome(replies=(Reply(text, (row(_list_button(t)),)),))


@dataclass(frozen=True)
class ModuleChoice:
    number: int
    name: str  # 'Modul 2: …' or 'Tillägg: …' (plain text)


def module_list(choices: tuple[ModuleChoice, ...], until: str, t, *, edit: bool = False) -> Outcome:
    if not choices:
        return Outcome(replies=(Reply(t("reading.none", until=until), edit_pressed=edit),))
    keyboard = tuple(
        row(Button(choice.name[:60], step_action(choice.number, 0), stateless=True))
        for choice in choices
    )
    reply = Reply(t("reading.list", until=until), keyboard, edit_pressed=edit)
    return Outcome(replies=(reply,))


@dataclass(frozen=True)
class StepPage:
    module: int
    name: str  # the module's name, plain text
    index: int
    total: int
    title: str
    text: str | None
    media_title: str | None = None
    media_text: str | None = None
    intro: str | None = None  # the module's introduction, above its first step


def step_page(page: StepPage, t) -> Outcome:
    """One step to read, with Tillbaka / Nästa and the way back to the list."""
    parts = [
        f"<b>{escape(page.name)}</b>\n"
        + t("module.step_of", current=page.index + 1, total=page.total),
        f"<b>{escape(page.title)}</b>",
    ]
    if page.index == 0 and page.intro:
        parts.append(escape(page.intro.strip()))
    if page.media_text:
        parts.append(t("reading.media", title=escape(page.media_title or page.title)))
        parts.append(escape(page.media_text.strip()))
    if page.text:
        parts.append(escape(page.text.strip()))
    back = forward = None
    if page.index > 0:
        back = _step_button(t("module.button.back"), page.module, page.index - 1)
    if page.index + 1 < page.total:
        forward = _step_button(t("module.button.next"), page.module, page.index + 1)
    paging = row(back, forward)
    keyboard = ((paging,) if paging else ()) + (row(_list_button(t)),)
    return Outcome(replies=(Reply("\n\n".join(parts), keyboard, edit_pressed=True),))
