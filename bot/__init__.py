"""The bot: everything between Telegram and the pure dialogues.

An update comes in through `telegram/` (stored first, then handled), runs as one turn
(`turn/`) in one database transaction, is sent by `router.py` to a route (`routes/`, one file
per dialogue), which asks a pure dialogue in `dialogues/` and stores what it says. Rules
shared by routes live in `care/`; turning replies into Bot API calls and charts in
`render/`; the periodic reminder tick in `reminders/`; risk signals and their chain in
`escalation/`; the command line in `cli/`; the emulator and script runner in `devtools/`.
See docs/architecture.md.
"""
