"""Tools for building and testing the bot, never used in production: the Telegram Bot API
emulator (`emulator/`), the conversation-script runner (`script/`), the demo, a fake clock and
running the bot as a process. See README.md here.
"""
