"""Telegram: the only package that talks to python-telegram-bot.

The poller (`polling.py`) stores each batch of updates before confirming it and hands them to
the handlers (`handlers.py`, thin: an update becomes a `TurnInput`, runs as a turn through the
router). The sender (`sender.py`) drains the outbox by lanes within Telegram's limits
(`rate_limits.py`); `runtime.py` is what the handlers share.
"""
