"""Reminder kinds as a registry: one small module per kind (diary.py, module.py, forms.py,
activity.py, custom.py), each declaring one frozen `ReminderKind` (base.py) named like the
module: its name, what a press on its button opens, its missed check and side effects, and
whether a program may give it by default. Its catalogue keys follow its name. registry.py
collects them and checks them at start-up; the database keeps the kind as plain text, so a
new kind is one module here plus its catalogue entries, and never a migration."""
