"""The router: which route serves an update, as three tables, and what follows an outcome.

- `COMMANDS`: every command, once: its routes, who sees it in their menu and /help, and
  whether its words are read for risk here. The menus and /help come from this table.
- `DIALOGUES`: a dialogue's buttons and typed answers, by the dialogue's name.
- `BUTTONS`: stateless buttons (they carry what they need), by their prefix.
- `ENTRIES`: where a route's `Next` can lead ("then the current task", "open the plan
  dialogue with these arguments"). The router carries it out in the same turn, so no route
  imports another.

Routes run inside the turn's transaction (bot/turn/run.py). Who may do what is decided in the
routes: a command's routes are tried in order, and the first that answers wins; one that
answers nobody (`None`) means the command is not for this person.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import wraps

from bot.care.ended import ended_treatment
from bot.escalation import screening
from bot.render.calls import parse_callback_data
from bot.routes import (
    activity_list,
    activity_plan,
    audit_trail,
    balance,
    channel,
    consent,
    cover,
    data_export,
    diary,
    ending,
    flags,
    follow_up,
    forms,
    general,
    identity,
    journal,
    maintenance,
    measure,
    membership,
    messages,
    module_follow_up,
    module_opening,
    module_steps,
    move_patient,
    notes,
    patient_overview,
    reading,
    reminder_settings,
    reminders,
    results,
    staff_admin,
    staff_invite,
    staff_messages,
    staff_plans,
    unit_settings,
    withdrawal,
)
from bot.turn.context import CommandLists, Route, Turn
from dialogues.types import CURRENT_TASK, Event, Outcome

PATIENT = ("patient",)
STAFF = ("staff",)
EVERYONE = ("patient", "staff")
MaybeRoute = Callable[[Turn], Outcome | None]


@dataclass(frozen=True)
class Command:
    name: str
    routes: tuple[MaybeRoute, ...]  # tried in order; the first that answers wins
    shown_to: tuple[str, ...] = ()  # listed in these audiences' menus and /help
    help_only: bool = False  # in /help, not in the menu (it needs an argument)
    screens_own_words: bool = False  # its words are read for risk by its route, not here
    always_open: bool = False  # answers a patient in maintenance or after the end too


# In the order the menus and /help list them.
COMMANDS: tuple[Command, ...] = (
    Command("start", (general.start,), screens_own_words=True),  # its word is an invite code
    Command("module", (general.module_command,), PATIENT),
    Command("patients", (patient_overview.patients_command,), STAFF),
    Command("patient", (patient_overview.patient_command,), STAFF, help_only=True),
    Command("open", (module_opening.open_command,), STAFF),
    Command("maintain", (maintenance.maintain_command,), STAFF, help_only=True),
    Command("end", (ending.end_command,), STAFF, help_only=True),
    Command("invite", (staff_invite.invite_command,), STAFF),
    Command("message", (messages.message_command,), PATIENT, screens_own_words=True),
    Command("messages", (messages.messages_command, staff_messages.messages_command), EVERYONE),
    Command("answers", (staff_messages.answers_command,), STAFF),
    Command("notes", (notes.notes_command,), EVERYONE, screens_own_words=True),
    Command("flags", (flags.flags_command,), STAFF),
    Command("diary", (diary.diary_command,), EVERYONE),
    Command("activities", (activity_list.activities_command,), PATIENT),
    Command("balance", (balance.balance_command,), EVERYONE),
    Command("forms", (forms.forms_command,), PATIENT),
    Command("results", (results.results_command,), EVERYONE, always_open=True),
    Command("mydata", (data_export.mydata_command,), PATIENT, always_open=True),
    Command("export", (data_export.export_command,), STAFF, help_only=True),
    Command("measure", (measure.measure_command,), STAFF),
    Command("reminders", (reminder_settings.reminders_command,), PATIENT),
    Command("pause", (reminder_settings.pause_command,), PATIENT),
    Command("schedule", (reminder_settings.schedule_command,), STAFF),
    Command("plan", (staff_plans.plan_command,), STAFF),
    Command("unit", (unit_settings.unit_command,), STAFF),
    Command("staff", (staff_admin.staff_command,), STAFF),
    Command("cover", (cover.cover_command,), STAFF),
    Command("move", (move_patient.move_command,), STAFF),
    Command("audit", (audit_trail.audit_command,), STAFF),
    Command("journal", (journal.journal_command,), STAFF),
    Command("channel", (channel.private_command,), STAFF),
    Command("withdraw", (withdrawal.withdraw_command,), PATIENT, always_open=True),
    Command("crisis", (general.crisis_command,), EVERYONE, always_open=True),
    Command("language", (general.language_command,), EVERYONE, always_open=True),
    Command("help", (ending.help_after_end, general.help_command), EVERYONE, always_open=True),
)


def _listed(audience: str, *, menu: bool) -> tuple[str, ...]:
    return tuple(
        command.name
        for command in COMMANDS
        if audience in command.shown_to and not (menu and command.help_only)
    )


COMMAND_LISTS = CommandLists(
    menu={audience: _listed(audience, menu=True) for audience in EVERYONE},
    help={audience: _listed(audience, menu=False) for audience in EVERYONE},
    after_end=tuple(command.name for command in COMMANDS if command.always_open),
)


@dataclass(frozen=True)
class DialogueRoutes:
    on_button: Callable[[Turn, str], Outcome] | None
    on_text: Callable[[Turn], Outcome]


def _dialogue(route_module) -> tuple[str, DialogueRoutes]:
    routes = DialogueRoutes(getattr(route_module, "on_button", None), route_module.on_text)
    return route_module.DIALOGUE, routes


# Dialogues with buttons and typed answers of their own. The module's steps are the
# patient's default place and handled on their own (see `button` and `_text`).
DIALOGUES: dict[str, DialogueRoutes] = dict(
    _dialogue(route_module)
    for route_module in (
        reminder_settings,
        unit_settings,
        diary,
        forms,
        flags,
        activity_list,
        activity_plan,
        follow_up,
        module_follow_up,
        staff_plans,
        messages,
        staff_messages,
        notes,
        patient_overview,
        staff_admin,
        cover,
        move_patient,
        audit_trail,
        maintenance,
        ending,
        withdrawal,
    )
)

# Stateless buttons, by the prefix of their data (`rem:open:12`); None from one: stale.
BUTTONS: dict[str, Callable[[Turn, str], Outcome | None]] = {
    "consent": consent.consent_button,
    "identity": identity.identity_button,
    "lang": general.language_button,
    "rem": reminders.reminder_button,
    "flag": flags.flag_button,
    "act": follow_up.act_button,
    "msg": staff_messages.msg_button,
    "addon": module_steps.addon_button,
    "module": module_steps.module_button,
    "pace": module_opening.pace_button,
    "form": forms.open_by_id,
    "read": reading.read_button,
    "journal": journal.journal_button,
}
BUTTONS_AFTER_END = frozenset({"lang"})  # the stateless buttons an ended patient may press

# ---- maintenance: the patient reads, and nothing else ------------------------------------------
# While a patient's treatment is in maintenance everything that would have them work (their
# module, exercises, the diary, messages, questionnaires, reminders, stale buttons) gets one
# word instead: closed until <date>, what to do if they feel worse, and the way to the
# reading view (bot/routes/reading.py). Decided here, once, before any route runs. Staff
# who are also patients keep their staff commands and dialogues.

READ_IN_MAINTENANCE = ("read", "lang")  # the stateless buttons a patient may press then
# The dialogues an `always_open` command opens that take presses and text (the rest answer
# at once): /withdraw's confirmation must work in maintenance too.
OPEN_IN_MAINTENANCE = (withdrawal.DIALOGUE,)


def _closed_command(turn: Turn, command: Command) -> Outcome | None:
    if command.always_open or (turn.staff is not None and "staff" in command.shown_to):
        return None
    closed = reading.closed(turn)
    if closed is None or not command.screens_own_words:
        return closed
    # Its route would have read its words for risk: read them here instead.
    safety = screening.screen_text(turn, " ".join(turn.incoming.args))
    return safety.then(closed) if safety else closed


def _closed_press(turn: Turn, revision: int | None, action: str) -> Outcome | None:
    if revision is None and action.partition(":")[0] in READ_IN_MAINTENANCE:
        return None
    if revision is not None and turn.state.dialogue in OPEN_IN_MAINTENANCE:
        return None
    if turn.staff is not None:
        return None
    return reading.closed(turn)


def _current_task(turn: Turn) -> Outcome:
    """What the patient should do now: in maintenance, the closed word and the reading."""
    return reading.closed(turn) or module_steps.current_task(turn)


# Where a `Next` leads: (dialogue, entry) -> the route, called with the Next's arguments.
ENTRIES: dict[tuple[str, str], Callable[..., Outcome]] = {
    (CURRENT_TASK, "open"): _current_task,
    (consent.DIALOGUE, "offer"): consent.offer,
    (staff_invite.DIALOGUE, "bind"): staff_invite.bind,
    (module_steps.DIALOGUE, "step"): module_steps.module_step,
    (module_steps.DIALOGUE, "button"): module_steps.on_button,
    (module_follow_up.DIALOGUE, "open"): module_follow_up.follow_up,
    (forms.DIALOGUE, "request"): forms.open_request_by_id,
    (forms.DIALOGUE, "list"): forms.forms_command,
    (activity_plan.DIALOGUE, "start"): activity_plan.start,
    (messages.DIALOGUE, "ask"): messages.ask_patient,
    (follow_up.DIALOGUE, "from_reminder"): follow_up.open_from_reminder,
    (diary.DIALOGUE, "today"): diary.open_day,
    (channel.DIALOGUE, "bot_added"): channel.bot_added,
}
MAX_FOLLOWING = 5  # a chain of Next longer than this is a bug (a loop), never a conversation


# ---- what follows an outcome ---------------------------------------------------------------


def follow(turn: Turn, outcome: Outcome) -> Outcome:
    """Carry out what the outcome says follows it, until nothing does."""
    for _ in range(MAX_FOLLOWING):
        step = outcome.next
        if step is None:
            return outcome
        entry = ENTRIES[(step.dialogue, step.entry)]
        following = entry(turn, *step.args) or Outcome()
        outcome = replace(outcome, next=None).then(following)
    raise RuntimeError(f"more than {MAX_FOLLOWING} steps follow one another: {outcome.next}")


def routed(route: Route) -> Route:
    """`route`, with what follows its outcome carried out: how every handler runs a route.
    A patient whose treatment has ended is answered here, once for every way in."""

    @wraps(route)
    def run(turn: Turn) -> Outcome:
        if turn.patient is not None and ended_treatment(turn.conn, turn.patient) is not None:
            if turn.staff is not None:
                turn.patient = None  # staff whose own treatment here has ended: staff only
            elif not _open_after_end(turn):
                return ending.treatment_over(turn)
        return follow(turn, route(turn))

    return run


def _open_after_end(turn: Turn) -> bool:
    """What still answers a patient whose treatment has ended: the commands marked
    `always_open` (/crisis, /help, /language, /results, /mydata), the language buttons, and
    the facts Telegram reports (the bot blocked or unblocked). Everything else gets the kind answer
    that the treatment has ended (bot/routes/ending.py `treatment_over`)."""
    incoming = turn.incoming
    if incoming.kind == "membership":
        return True
    if incoming.kind == "command":
        return incoming.command in COMMAND_LISTS.after_end
    if incoming.kind == "button":
        parsed = parse_callback_data(turn.input.callback_data)
        if parsed is None or parsed[0] is not None:
            return False
        return parsed[1].partition(":")[0] in BUTTONS_AFTER_END
    return False


# ---- commands -----------------------------------------------------------------------------


def command_route(command: Command) -> Route:
    """The route for `command`: its routes in order, else "unknown command"; its words read
    for risk first unless its route reads them itself."""

    def serve(turn: Turn) -> Outcome:
        closed = _closed_command(turn, command)
        if closed is not None:
            return closed
        for route in command.routes:
            outcome = route(turn)
            if outcome is not None:
                return outcome
        return general.unknown_command(turn)

    serve.__name__ = f"{command.name}_command"
    return serve if command.screens_own_words else words_screened(serve)


def words_screened(route: Route) -> Route:
    """A command whose words are read for risk like any text a patient sends (`/pause 2
    dagar, jag vill inte leva`): the safety message first, then the command as usual."""

    @wraps(route)
    def command(turn: Turn) -> Outcome:
        safety = screening.screen_text(turn, " ".join(turn.incoming.args))
        outcome = route(turn)
        return safety.then(outcome) if safety else outcome

    return command


# A command the bot does not know: a kind word (and the patient's current task), after its
# words are read for risk like any other text (`/hjälp jag orkar inte leva`).
unknown_command = words_screened(general.unknown_command)


# ---- buttons -------------------------------------------------------------------------------


def button(turn: Turn) -> Outcome:
    parsed = parse_callback_data(turn.input.callback_data)
    if parsed is None:
        return general.stale_button(turn)
    revision, action = parsed
    closed = _closed_press(turn, revision, action)
    if closed is not None:
        return closed
    if revision is None:
        return _stateless_button(turn, action)
    if revision != turn.state.revision:
        return general.stale_button(turn)
    routes = DIALOGUES.get(turn.state.dialogue)
    if routes is not None and routes.on_button is not None:
        return routes.on_button(turn, action)
    if turn.state.dialogue == module_steps.DIALOGUE and turn.patient is not None:
        return module_steps.on_button(turn, action)
    return general.stale_button(turn)


def _stateless_button(turn: Turn, action: str) -> Outcome:
    kind, _, rest = action.partition(":")
    route = BUTTONS.get(kind)
    outcome = route(turn, rest) if route is not None else None
    return outcome if outcome is not None else general.stale_button(turn)


def risk_events_of_press(turn: Turn, action: str) -> tuple[Event, ...]:
    """The risk answers a current press carries, decided again without storing anything:
    for a turn that failed after the press (bot/turn/after_failure.py)."""
    if turn.state.dialogue == forms.DIALOGUE:
        return forms.risk_events(turn, action)
    return ()


# ---- messages that are not commands ---------------------------------------------------------


def text(turn: Turn) -> Outcome:
    safety = screening.screen_text(turn, turn.incoming.text)
    if safety is None:
        return _text(turn)
    if _awaits_text(turn):
        return safety.then(_text(turn))  # the open question takes the text: nothing is lost
    rest = follow(turn, _text(turn))
    # Otherwise the safety message stands alone, unless the text was kept (an exercise
    # answer, or text waiting for "Spara som svar"): no "this step has no exercise", no step
    # shown again after it.
    kept = rest.events or module_steps.holds_typed_text(rest)
    return safety.then(rest) if kept else safety


def _awaits_text(turn: Turn) -> bool:
    """An open dialogue that takes typed text: one waiting for an answer, or the diary
    (a typed mood counts like a press)."""
    open_dialogue = turn.state.dialogue
    return open_dialogue in DIALOGUES and bool(
        turn.state.data.get("awaiting") or open_dialogue == diary.DIALOGUE
    )


def _text(turn: Turn) -> Outcome:
    open_anyway = turn.state.dialogue in OPEN_IN_MAINTENANCE or (
        turn.staff is not None and _awaits_text(turn)
    )
    closed = None if open_anyway else reading.closed(turn)
    if closed is not None:
        return closed
    if _awaits_text(turn):
        return DIALOGUES[turn.state.dialogue].on_text(turn)
    if turn.patient is not None and turn.state.dialogue == module_steps.DIALOGUE:
        return module_steps.module_input(turn, turn.incoming)
    if turn.patient is None and turn.staff is None:
        return general.stranger(turn)
    return general.with_current_task(turn, general.bad_input(turn, "text"))


def media(turn: Turn) -> Outcome:
    if turn.patient is None and turn.staff is None:
        return general.stranger(turn)
    safety = screening.screen_text(turn, turn.incoming.text)  # a photo's caption is read too
    return safety or _keep_open_question(turn, general.bad_input(turn, "media"))


def _keep_open_question(turn: Turn, outcome: Outcome) -> Outcome:
    """While a dialogue waits for typed text (a plan half made, a reply being written), a
    sticker or an edit gets its kind word and nothing else: the question and its buttons stay
    as they were, so nothing entered so far is lost (an exercise answer waiting for Ersätt /
    Lägg till / Behåll too). Otherwise the current step follows."""
    if _awaits_text(turn) or module_steps.awaits_choice(turn):
        return outcome
    return general.with_current_task(turn, outcome)


def edited(turn: Turn) -> Outcome:
    """An edited message never records an answer (again): say so kindly, show the step."""
    if turn.patient is None and turn.staff is None:
        # A stranger's edit changes nothing, but words of crisis still get the contacts.
        in_crisis = screening.crisis_terms_in(turn.incoming.text)
        return general.stranger(turn) if in_crisis else Outcome()
    safety = screening.screen_text(turn, turn.incoming.text)  # an edit is read for risk too
    return safety or _keep_open_question(turn, general.bad_input(turn, "edited"))


# ---- the bot's own membership, and the therapist channel in its group -----------------------

membership_changed = membership.membership
channel_in_group = channel.group_command
channel_from_anonymous = channel.anonymous
members_joined = channel.members_joined
