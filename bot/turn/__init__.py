"""A turn: one update from one person, handled in one database transaction.

`context.py` holds the turn's types (`Turn`, `TurnInput`, `World`) and imports nothing else
from bot/ but i18n, so routes, care rules and escalation can all build on it. `run.py` claims
the update, runs the route and stores its outcome; `after_failure.py` makes sure a failed
turn's risk signal still reaches a human.
"""
