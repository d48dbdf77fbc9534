"""`/withdraw`: the patient takes back their consent and ends the treatment (see
withdrawal.mmd). Pure.

The command interrupts whatever the patient was doing (a questionnaire, the diary); where
they were is kept in the data, so **Avbryt** leads back there. The data:
{"awaiting": "choice", "back": {"dialogue": name, "request": id}}.
"""

from __future__ import annotations

from dialogues.crisis import crisis_text
from dialogues.types import Button, Outcome, Reply, row

DIALOGUE = "withdrawal"
CONFIRM = "confirm"
CANCEL = "cancel"


def explain(back: dict, t, notice: str = "") -> Outcome:
    """What withdrawing means, plainly, and the two buttons."""
    text = "\n\n".join(part for part in (notice, t("withdrawal.explain")) if part)
    buttons = (
        row(
            Button(t("withdrawal.button.confirm"), CONFIRM),
            Button(t("withdrawal.button.cancel"), CANCEL),
        ),
    )
    return Outcome(
        replies=(Reply(text, buttons),),
        dialogue=DIALOGUE,
        data={"awaiting": "choice", "back": dict(back)},
    )


def on_button(data: dict, action: str, t) -> tuple[Outcome, str | None]:
    """The outcome, and what the patient chose (CONFIRM, CANCEL, or None: nothing yet)."""
    if action == CONFIRM:
        return Outcome(), CONFIRM
    if action == CANCEL:
        reply = Reply(t("withdrawal.cancelled"), edit_pressed=True)
        return Outcome(replies=(reply,), toast=t("withdrawal.toast_cancelled")), CANCEL
    return explain(data.get("back", {}), t, t("withdrawal.use_buttons")), None


def on_text(data: dict, t) -> Outcome:
    """Typed text while the question is open: the question again, nothing decided."""
    return explain(data.get("back", {}), t, t("withdrawal.use_buttons"))


def withdrawn(t) -> Outcome:
    """Done: the explanation is replaced by what has happened and where help is."""
    text = "\n\n".join((t("withdrawal.done"), t("withdrawal.after"), crisis_text(t)))
    return Outcome(
        replies=(Reply(text, edit_pressed=True),),
        toast=t("withdrawal.toast_done"),
        dialogue=None,
        data={},
    )


def already_ended(t) -> Outcome:
    """No treatment to end: it has ended already (or never began)."""
    text = t("withdrawal.already_ended") + "\n\n" + crisis_text(t)
    return Outcome(replies=(Reply(text),))


def cancelled_way_on(t) -> str:
    """After Avbryt, when there is nothing to go back to: how to go on."""
    return t("withdrawal.how_to_go_on")
