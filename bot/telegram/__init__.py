"""Telegram: the only package that talks to python-telegram-bot.

The poller (`polling.py`) stores each batch of updates before confirming it, or in webhook
mode the receiver (`webhook.py`) stores each posted update before answering 200; both hand
the stored updates (`inbox_handler.py`) to the handlers (`handlers.py`, thin: an update
becomes a `TurnInput`, runs as a turn through the router). The sender (`sender.py`)
drains the outbox by lanes within Telegram's limits (`rate_limits.py`); `runtime.py` is what
the handlers share.
"""
