"""Dialogues: pure functions from what a person did (`Incoming`) and what they need to know
to an `Outcome` (replies, changes, events, what follows). No database, no network, no clock.
Each has a state diagram (`*.mmd`); `types.py` holds the shapes they share.
"""
