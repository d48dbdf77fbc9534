"""Who reaches what: a patient reaches no staff command (each one tried, with and without
arguments), and a therapist of unit B reads nothing of unit A's patients (each command that
takes a label tried)."""

from bot.router import COMMAND_LISTS
from tests.bot.commands import COMMANDS
from tests.bot.staff_helpers import audit_rows, bind, count, enroll, patient_id, replies_to
from tests.harness.databases import table_names

ANNA, BO, CECILIA, PATIENT = 100, 101, 102, 200
LARS, LENA, LUND_PATIENT = 500, 501, 510
UNKNOWN = "kommandot känner jag inte"
NO_SUCH = "Ingen patient med den koden"

# Commands patients may send too (their own data, or for everyone).
SHARED = set(COMMAND_LISTS.menu["patient"]) | {"start"}

# Staff commands that name a patient: the arguments that reach the patient lookup. Add new
# ones here (every staff command is also probed below with a label as its argument); one not
# registered (yet) is skipped.
_LABEL_COMMANDS = {
    "results": ("P1",),
    "diary": ("P1",),
    "balance": ("P1",),
    "schedule": ("P1",),
    "measure": ("P1", "phq9"),
    "plan": ("P1",),
    "patient": ("P1",),
    "audit": ("P1",),
    "move": ("P1",),
    "answers": ("P1",),
    "journal": ("P1",),
    "end": ("P1",),
}
LABEL_COMMANDS = {name: args for name, args in _LABEL_COMMANDS.items() if name in COMMANDS}

TABLES = (
    "audit_log",
    "invites",
    "deputies",
    "schedules",
    "form_requests",
    "activity_plans",
    "staff",
    "staff_roles",
    "patients",
    "events",
    "flags",
)


def _two_units(chat):
    bind(chat, "Anna", "therapist", "Växjö", ANNA)
    bind(chat, "Bo", "patient-admin", "Växjö", BO)
    bind(chat, "Cecilia", "admin", "Växjö", CECILIA)
    enroll(chat, ANNA, "P1", PATIENT)
    bind(chat, "Lars", "therapist", "Lund", LARS)
    bind(chat, "Lena", "admin", "Lund", LENA)
    bind(chat, "Lena", "patient-admin", "Lund", LENA)
    enroll(chat, LARS, "L1", LUND_PATIENT)


def _staff_only():
    return sorted(set(COMMANDS) - SHARED)


def _snapshot(chat):
    existing = table_names(chat.conn)
    return {table: count(chat, table) for table in TABLES if table in existing}


def test_the_staff_only_commands_are_known():
    staff_only = _staff_only()
    for name in ("invite", "staff", "cover", "move", "audit", "unit", "measure", "flags"):
        assert name in staff_only
    assert set(LABEL_COMMANDS) <= set(COMMANDS)


def test_a_patient_reaches_no_staff_command(chat):
    _two_units(chat)
    before = _snapshot(chat)
    for name in _staff_only():
        for args in ((), ("P1",), ("P1", "phq9"), ("export",), ("depression", "X1")):
            replies = replies_to(chat, PATIENT, COMMANDS[name], name, *args)
            assert UNKNOWN in replies[0], (name, args, replies[0][:80])
    assert _snapshot(chat) == before  # nothing changed, nothing audited


def test_a_therapist_or_admin_of_another_unit_reads_nothing(chat):
    _two_units(chat)
    before = _snapshot(chat)
    a_patient = patient_id(chat, "P1")
    about_p1 = len(_about(chat, a_patient))
    to_p1 = len(chat.outbox(PATIENT))
    for name, args in LABEL_COMMANDS.items():
        # Lena is admin and patient-admin in Lund: unit-wide roles stop at the unit.
        replies = replies_to(chat, LENA, COMMANDS[name], name, *args)
        assert replies == [replies[0]] and NO_SUCH in replies[0], (name, replies)
        replies = replies_to(chat, LARS, COMMANDS[name], name, *args)
        assert replies == [replies[0]], (name, replies)
        assert NO_SUCH in replies[0] or replies[0].startswith("Bara "), (name, replies)
    # Every other staff command, probed with the label too, reads nothing about P1 either.
    for name in _staff_only():
        for member in (LARS, LENA):
            for args in (("P1",), ("P1", "phq9")):
                chat.command(COMMANDS[name], member, name, *args)
    assert len(_about(chat, a_patient)) == about_p1  # no read of P1 recorded
    assert len(chat.outbox(PATIENT)) == to_p1  # P1 was sent nothing
    after = _snapshot(chat)
    del after["audit_log"], before["audit_log"]  # Lund's own reads (e.g. /flags) are fine
    assert after == before


def _about(chat, patient):
    return [row for row in audit_rows(chat) if row["patient_id"] == patient]
