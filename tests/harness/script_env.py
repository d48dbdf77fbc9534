"""How the test suite runs the real bot in conversation scripts.

Telegram's send limits (about one message a second in a private chat), `retry_after` and the
back-off are real-time waits, and they were most of the suite's time. The suite gives the
bot's process the development setting TRANSPORT_SPEEDUP (bot/settings.py; accepted only with
the script runner's fake clock), so those waits pass 20 times faster: every chat gets the same
messages in the same order, only sooner. What a script checks is per chat, so it holds alike;
only how two chats' messages interleave in the printed transcript can differ (as it can from
run to run in real time).
`python -m bot demo --script` keeps real time unless you set it yourself.
"""

SCRIPT_BOT_ENV = {"TRANSPORT_SPEEDUP": "20"}
