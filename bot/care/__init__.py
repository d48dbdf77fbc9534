"""Care rules shared by routes (and the command line): who may see which patient
(`access.py`), telling the care team or the patient (`notify.py`, `messaging.py`), opening
modules (`modules.py`; who opens them and when a patient waits: `pacing.py`), the weekly
balance (`balance.py`), self-help mode, staff accounts, therapist channels and the audit
export. They take a database connection, never a turn, so any route can use them and none
needs another route.
"""
