"""Reminders: schedules as rows, one periodic tick, and the reminder messages."""
