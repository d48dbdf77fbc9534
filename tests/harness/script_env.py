"""How the test suite runs the real bot in conversation scripts.

Telegram's send limits (about one message a second in a private chat), `retry_after` and the
back-off are real-time waits, and they were most of the suite's time. The suite gives the
bot's process the development setting TRANSPORT_SPEEDUP (bot/settings.py; accepted only with
the script runner's fake clock), so those waits pass 20 times faster: the same rows go in the
same order, only sooner. The transcript, and so what a script checks, does not change.
`python -m bot demo --script` keeps real time unless you set it yourself.
"""

SCRIPT_BOT_ENV = {"TRANSPORT_SPEEDUP": "20"}
