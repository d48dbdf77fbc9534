"""Routes: the glue between a kind of update and the dialogues.

Each route runs inside the turn's transaction: it reads what the dialogue needs, calls the
pure dialogue, stores the changes the dialogue asked for, and returns its outcome.
Who may do what is decided here: patients never reach a staff command.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from functools import wraps
from zoneinfo import ZoneInfo

from bot.care.self_help import SELF_HELP
from bot.escalation import screening
from bot.i18n import LANGUAGES, language_for
from bot.reminders.defaults import give_program_schedules
from bot.render.calls import parse_callback_data
from bot.render.menus import chat_menu_call
from bot.routes import activity_list as activity_routes
from bot.routes import activity_plan as plan_routes
from bot.routes import audit_trail as audit_routes
from bot.routes import balance as balance_routes
from bot.routes import channel as channel_routes
from bot.routes import cover as cover_routes
from bot.routes import current_task as patient_now
from bot.routes import diary as diary_routes
from bot.routes import flags as flag_routes
from bot.routes import follow_up as follow_up_routes
from bot.routes import forms as form_routes
from bot.routes import measure as measure_routes
from bot.routes import messages as message_routes
from bot.routes import module_follow_up as module_follow_up_routes
from bot.routes import module_steps as module_routes
from bot.routes import move_patient as move_routes
from bot.routes import notes as notes_routes
from bot.routes import patient_overview as patient_routes
from bot.routes import reminder_settings as settings_routes
from bot.routes import reminders as reminder_routes
from bot.routes import results as results_routes
from bot.routes import staff_admin as staff_routes
from bot.routes import staff_messages as staff_message_routes
from bot.routes import staff_plans as staff_plan_routes
from bot.routes import unit_settings as unit_routes
from bot.turn.context import Route, Turn
from dialogues import consent, crisis, general, module_steps, staff_invite
from dialogues.consent import InviteCheck, InviteFacts
from dialogues.types import Incoming, Outcome
from storage import audit, forget, invites, outbox, patients, units
from storage import staff as staff_repo

# Dialogues with buttons and typed answers of their own, by name -> their route module.
DIALOGUE_ROUTES = {
    settings_routes.DIALOGUE: settings_routes,
    unit_routes.DIALOGUE: unit_routes,
    diary_routes.DIALOGUE: diary_routes,
    form_routes.DIALOGUE: form_routes,
    flag_routes.DIALOGUE: flag_routes,
    activity_routes.DIALOGUE: activity_routes,
    plan_routes.DIALOGUE: plan_routes,
    follow_up_routes.DIALOGUE: follow_up_routes,
    module_follow_up_routes.DIALOGUE: module_follow_up_routes,
    staff_plan_routes.DIALOGUE: staff_plan_routes,
    message_routes.DIALOGUE: message_routes,
    staff_message_routes.DIALOGUE: staff_message_routes,
    notes_routes.DIALOGUE: notes_routes,
    patient_routes.DIALOGUE: patient_routes,
    staff_routes.DIALOGUE: staff_routes,
    cover_routes.DIALOGUE: cover_routes,
    move_routes.DIALOGUE: move_routes,
    audit_routes.DIALOGUE: audit_routes,
}

# ---- the patient's place in their module -------------------------------------------------


current_step = patient_now.current_task


def _with_current_step(turn: Turn, outcome: Outcome) -> Outcome:
    return outcome.then(current_step(turn)) if turn.patient else outcome


# ---- commands ---------------------------------------------------------------------------


def start(turn: Turn) -> Outcome:
    args = turn.incoming.args
    if args and args[0].startswith(staff_repo.BIND_CODE_PREFIX):
        return _bind_staff(turn, args[0])
    if turn.patient is not None:
        return general.already_enrolled(turn.t).then(current_step(turn))
    if turn.staff is not None:
        return general.help_for("staff", turn.t)
    if not args:
        return general.stranger(turn.t)
    return consent.offer(_invite_facts(turn, args[0]), args[0], turn.t)


def _bind_staff(turn: Turn, code: str) -> Outcome:
    if turn.patient is not None:
        return general.bad_input("not_for_you", turn.t).then(current_step(turn))
    member = staff_repo.bind(turn.conn, code, turn.input.user_id, turn.now)
    if member is None:
        return staff_invite.bind_failed(turn.t)
    language = language_for(turn.input.language_code, turn.world.default_language)
    staff_repo.set_language(turn.conn, member.id, language)
    turn.use_language(language)
    turn.staff = member
    unit = units.get(turn.conn, member.unit_id)
    menu = chat_menu_call(turn.input.chat_id, for_staff=True, language=language)
    outbox.enqueue(turn.conn, menu, turn.now)
    return staff_invite.bound(turn.t, member.name, sorted(member.roles), unit.name)


def help_command(turn: Turn) -> Outcome:
    if turn.staff is not None:
        return general.help_for("staff", turn.t)
    if turn.patient is not None:
        return general.help_for("patient", turn.t)
    return general.stranger(turn.t)


def crisis_command(turn: Turn) -> Outcome:
    return crisis.show(turn.t)


def language_command(turn: Turn) -> Outcome:
    return general.language_choice(turn.t)


def module_command(turn: Turn) -> Outcome:
    if turn.patient is None:
        return help_command(turn)
    return current_step(turn)


def invite_command(turn: Turn) -> Outcome:
    if turn.staff is None:
        return unknown_command(turn)
    unit_id = turn.staff.unit_id
    programs = {pid: program.title(turn.t.language) for pid, program in turn.world.programs.items()}
    plan = staff_invite.plan_invite(
        turn.incoming.args,
        turn.staff.roles,
        programs,
        lambda label: invites.label_in_use(turn.conn, unit_id, label, turn.now),
        turn.t,
    )
    if isinstance(plan, Outcome):
        return plan
    if turn.world.programs[plan.program].meta.self_help:
        plan = replace(plan, mode=SELF_HELP)  # every invite to it is self-help
    invite = invites.create(
        turn.conn,
        unit_id=unit_id,
        therapist_id=turn.staff.id,
        program=plan.program,
        label=plan.label,
        now=turn.now,
        valid_for=timedelta(days=turn.world.invite_valid_days),
        mode=plan.mode,
    )
    audit.record(
        turn.conn,
        staff_id=turn.staff.id,
        action="invite_created",
        now=turn.now,
        label=plan.label,
        program=plan.program,
    )
    link = f"https://t.me/{turn.world.bot_username}?start={invite.code}"
    zone = ZoneInfo(units.get(turn.conn, unit_id).timezone)
    expires = invite.expires_at.astimezone(zone)
    return staff_invite.invite_created(turn.t, plan, programs[plan.program], link, expires)


def reminders_command(turn: Turn) -> Outcome:
    return settings_routes.reminders_command(turn) or unknown_command(turn)


def pause_command(turn: Turn) -> Outcome:
    return settings_routes.pause_command(turn) or unknown_command(turn)


def schedule_command(turn: Turn) -> Outcome:
    return settings_routes.schedule_command(turn) or unknown_command(turn)


def flags_command(turn: Turn) -> Outcome:
    return flag_routes.flags_command(turn) or unknown_command(turn)


def results_command(turn: Turn) -> Outcome:
    return results_routes.results_command(turn) or unknown_command(turn)


def measure_command(turn: Turn) -> Outcome:
    return measure_routes.measure_command(turn) or unknown_command(turn)


def forms_command(turn: Turn) -> Outcome:
    return form_routes.forms_command(turn) or unknown_command(turn)


def diary_command(turn: Turn) -> Outcome:
    return diary_routes.diary_command(turn) or unknown_command(turn)


def patients_command(turn: Turn) -> Outcome:
    return patient_routes.patients_command(turn) or unknown_command(turn)


def patient_command(turn: Turn) -> Outcome:
    return patient_routes.patient_command(turn) or unknown_command(turn)


def plan_command(turn: Turn) -> Outcome:
    return staff_plan_routes.plan_command(turn) or unknown_command(turn)


def activities_command(turn: Turn) -> Outcome:
    return activity_routes.activities_command(turn) or unknown_command(turn)


def balance_command(turn: Turn) -> Outcome:
    return balance_routes.balance_command(turn) or unknown_command(turn)


def unit_command(turn: Turn) -> Outcome:
    return unit_routes.unit_command(turn) or unknown_command(turn)


def message_command(turn: Turn) -> Outcome:
    return message_routes.message_command(turn) or unknown_command(turn)


def messages_command(turn: Turn) -> Outcome:
    if turn.patient is not None:
        return message_routes.messages_command(turn)
    return staff_message_routes.messages_command(turn) or unknown_command(turn)


def answers_command(turn: Turn) -> Outcome:
    return staff_message_routes.answers_command(turn) or unknown_command(turn)


def notes_command(turn: Turn) -> Outcome:
    return notes_routes.notes_command(turn) or unknown_command(turn)


def staff_command(turn: Turn) -> Outcome:
    return staff_routes.staff_command(turn) or unknown_command(turn)


def cover_command(turn: Turn) -> Outcome:
    return cover_routes.cover_command(turn) or unknown_command(turn)


def move_command(turn: Turn) -> Outcome:
    return move_routes.move_command(turn) or unknown_command(turn)


def audit_command(turn: Turn) -> Outcome:
    return audit_routes.audit_command(turn) or unknown_command(turn)


def channel_command(turn: Turn) -> Outcome:
    return channel_routes.private_command(turn) or unknown_command(turn)


def unknown_command(turn: Turn) -> Outcome:
    return _with_current_step(turn, general.bad_input("unknown_command", turn.t))


# ---- consent ----------------------------------------------------------------------------


def _invite_facts(turn: Turn, code: str) -> InviteFacts:
    invite = invites.by_code(turn.conn, code)
    if invite is None:
        return InviteFacts(InviteCheck.UNKNOWN)
    check = consent.check_invite(invite.status, invite.expires_at, turn.now)
    program = turn.world.programs.get(invite.program)
    if program is None:
        return InviteFacts(InviteCheck.UNKNOWN)
    self_help = invite.mode == SELF_HELP or program.meta.self_help
    return InviteFacts(check, program.title(turn.t.language), self_help)


def _consent_answer(turn: Turn, answer: str, code: str) -> Outcome:
    if turn.patient is not None:
        return general.already_enrolled(turn.t).then(current_step(turn))
    if turn.staff is not None:
        return general.bad_input("not_for_you", turn.t)
    facts = _invite_facts(turn, code)
    if facts.check is not InviteCheck.VALID:
        turn.forget_recipient = True  # a stranger still: this answer keeps nothing either
        return consent.not_valid_any_more(facts, turn.t)
    invite = invites.by_code(turn.conn, code)
    if answer == "no":
        invites.mark(turn.conn, invite.id, "declined", turn.now)
        _forget_the_person(turn)
        return consent.declined(turn.t)
    invites.mark(turn.conn, invite.id, "accepted", turn.now)
    turn.patient = patients.create(
        turn.conn,
        unit_id=invite.unit_id,
        therapist_id=invite.therapist_id,
        label=invite.label,
        telegram_user_id=turn.input.user_id,
        chat_id=turn.input.chat_id,
        language=turn.t.language,
        now=turn.now,
    )
    patients.enroll(turn.conn, turn.patient.id, invite.program, turn.now, mode=invite.mode)
    program = turn.world.programs[invite.program]
    give_program_schedules(turn.conn, turn.patient.id, program.meta, turn.now)
    return consent.agreed(facts, turn.t).then(current_step(turn))


def _forget_the_person(turn: Turn) -> None:
    """Declined: nothing links the invite to the person. The offer (chat id, buttons with the
    code), its ledger row and any dialogue of the chat are erased now; the reply, once sent."""
    turn.forget_recipient = True
    if turn.input.chat_id == turn.input.user_id:  # a group's rows are the group's, not theirs
        forget.forget_private_chat(turn.conn, turn.input.chat_id)


# ---- buttons ----------------------------------------------------------------------------


def button(turn: Turn) -> Outcome:
    parsed = parse_callback_data(turn.input.callback_data)
    if parsed is None:
        return _with_current_step(turn, general.stale_button(turn.t))
    revision, action = parsed
    if revision is None:
        return _stateless_button(turn, action)
    if revision != turn.state.revision:
        return _with_current_step(turn, general.stale_button(turn.t))
    if turn.state.dialogue in DIALOGUE_ROUTES:
        return DIALOGUE_ROUTES[turn.state.dialogue].on_button(turn, action)
    if turn.state.dialogue == module_steps.DIALOGUE and turn.patient is not None:
        return module_routes.module_input(turn, Incoming(kind="button", action=action))
    return _with_current_step(turn, general.stale_button(turn.t))


def _stateless_button(turn: Turn, action: str) -> Outcome:
    kind, _, rest = action.partition(":")
    if kind == "consent":
        answer, _, code = rest.partition(":")
        if answer in ("yes", "no") and code:
            return _consent_answer(turn, answer, code)
    if kind == "lang" and rest in LANGUAGES:
        return _set_language(turn, rest)
    if kind == "rem":
        return reminder_routes.reminder_button(turn, rest)
    if kind == "flag":
        return flag_routes.flag_button(turn, rest)
    if kind == "act":
        return follow_up_routes.act_button(turn, rest)
    if kind == "msg":
        return staff_message_routes.msg_button(turn, rest)
    if kind == "addon":
        return patient_routes.addon_button(turn, rest)
    if kind == "form" and turn.patient is not None:
        return form_routes.open_by_id(turn, rest)
    return _with_current_step(turn, general.stale_button(turn.t))


def _set_language(turn: Turn, language: str) -> Outcome:
    turn.use_language(language)
    if turn.patient is not None:
        patients.set_language(turn.conn, turn.patient.id, language)
    if turn.staff is not None:
        staff_repo.set_language(turn.conn, turn.staff.id, language)
    if turn.patient is not None or turn.staff is not None:
        menu = chat_menu_call(
            turn.input.chat_id, for_staff=turn.staff is not None, language=language
        )
        outbox.enqueue(turn.conn, menu, turn.now)
    return general.language_set(turn.t)


def words_screened(route: Route) -> Route:
    """A command whose words are read for risk like any text a patient sends (`/pause 2
    dagar, jag vill inte leva`): the safety message first, then the command as usual."""

    @wraps(route)
    def command(turn: Turn) -> Outcome:
        safety = screening.screen_text(turn, " ".join(turn.incoming.args))
        outcome = route(turn)
        return safety.then(outcome) if safety else outcome

    return command


# ---- messages that are not commands -------------------------------------------------------


def text(turn: Turn) -> Outcome:
    safety = screening.screen_text(turn, turn.incoming.text)
    if safety is None:
        return _text(turn)
    if _awaits_text(turn):
        return safety.then(_text(turn))  # the open question takes the text: nothing is lost
    rest = _text(turn)
    # Otherwise the safety message stands alone, unless the text was kept (an exercise
    # answer): no "this step has no exercise", no step shown again after it.
    return safety.then(rest) if rest.events else safety


def _awaits_text(turn: Turn) -> bool:
    """An open dialogue that takes typed text: one waiting for an answer, or the diary
    (a typed mood counts like a press)."""
    open_dialogue = turn.state.dialogue
    return open_dialogue in DIALOGUE_ROUTES and bool(
        turn.state.data.get("awaiting") or open_dialogue == diary_routes.DIALOGUE
    )


def _text(turn: Turn) -> Outcome:
    if _awaits_text(turn):
        return DIALOGUE_ROUTES[turn.state.dialogue].on_text(turn)
    if turn.patient is not None and turn.state.dialogue == module_steps.DIALOGUE:
        return module_routes.module_input(turn, turn.incoming)
    if turn.patient is None and turn.staff is None:
        return general.stranger(turn.t)
    return _with_current_step(turn, general.bad_input("text", turn.t))


def media(turn: Turn) -> Outcome:
    if turn.patient is None and turn.staff is None:
        return general.stranger(turn.t)
    safety = screening.screen_text(turn, turn.incoming.text)  # a photo's caption is read too
    return safety or _keep_open_question(turn, general.bad_input("media", turn.t))


def _keep_open_question(turn: Turn, outcome: Outcome) -> Outcome:
    """While a dialogue waits for typed text (a plan half made, a reply being written), a
    sticker or an edit gets its kind word and nothing else: the question and its buttons stay
    as they were, so nothing entered so far is lost. Otherwise the current step follows."""
    if _awaits_text(turn):
        return outcome
    return _with_current_step(turn, outcome)


def edited(turn: Turn) -> Outcome:
    """An edited message never records an answer (again): say so kindly, show the step."""
    if turn.patient is None and turn.staff is None:
        # A stranger's edit changes nothing, but words of crisis still get the contacts.
        in_crisis = screening.crisis_terms_in(turn.incoming.text)
        return general.stranger(turn.t) if in_crisis else Outcome()
    safety = screening.screen_text(turn, turn.incoming.text)  # an edit is read for risk too
    return safety or _keep_open_question(turn, general.bad_input("edited", turn.t))
