"""Every command's route as production runs it (the router's table: its routes in order, the
words screened for risk, "unknown command" when none answers), by name, for turn tests:
`chat.command(diary_command, user, "diary")`."""

from bot import router

COMMANDS = {command.name: router.command_route(command) for command in router.COMMANDS}


def command(name: str):
    return COMMANDS[name]


start = command("start")
help_command = command("help")
module_command = command("module")
invite_command = command("invite")
diary_command = command("diary")
balance_command = command("balance")
activities_command = command("activities")
pause_command = command("pause")
schedule_command = command("schedule")
reminders_command = command("reminders")
message_command = command("message")
messages_command = command("messages")
answers_command = command("answers")
notes_command = command("notes")
patients_command = command("patients")
patient_command = command("patient")
results_command = command("results")
forms_command = command("forms")
measure_command = command("measure")
flags_command = command("flags")
plan_command = command("plan")
unit_command = command("unit")
staff_command = command("staff")
cover_command = command("cover")
move_command = command("move")
audit_command = command("audit")
channel_command = command("channel")
