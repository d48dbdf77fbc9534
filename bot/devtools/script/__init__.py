"""Conversation scripts (`.chat`): parsing, matching what the bot said, the transcript, and
the runner that plays a script against the emulator and the real bot."""
