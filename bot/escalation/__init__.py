"""Escalation: when and how a risk signal reaches a person (office hours, deadlines)."""
