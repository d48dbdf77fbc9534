"""Who the bot is on Telegram: its username, for invite and bind links from the command line."""

from __future__ import annotations

from telegram import Bot

DEMO_BOT_USERNAME = "ikbt_demo_bot"


async def bot_username(token: str | None, base_url: str | None) -> str:
    if not token:
        return DEMO_BOT_USERNAME  # the demo and tests: no Telegram to ask
    bot = Bot(token, base_url=base_url) if base_url else Bot(token)
    async with bot:
        return bot.username
