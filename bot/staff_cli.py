"""`python -m bot staff add`: create a staff member and print their one-time link."""

from __future__ import annotations

import argparse
import asyncio

from bot.clock import SystemClock
from bot.settings import load_settings
from storage import staff
from storage.database import connect_sync, migrate_sync, run_in_transaction

DEMO_BOT_USERNAME = "ikbt_demo_bot"


async def _bot_username(token: str | None, base_url: str | None) -> str:
    if not token:
        return DEMO_BOT_USERNAME
    from telegram import Bot

    bot = Bot(token, base_url=base_url) if base_url else Bot(token)
    async with bot:
        return bot.username


def main(args: argparse.Namespace) -> int:
    settings = load_settings()
    conn = connect_sync(settings.database_path)
    migrate_sync(conn)
    now = SystemClock().now()
    code = run_in_transaction(
        conn,
        lambda c: staff.add_staff_role(
            c, name=args.name, role=args.role, unit_name=args.unit, telegram_user_id=None, now=now
        ),
    )
    username = asyncio.run(
        _bot_username(settings.telegram_bot_token, settings.telegram_api_base_url)
    )
    print(f"Staff member {args.name!r} ({args.role}) added to unit {args.unit!r}.")
    print("Send them this one-time link (valid 14 days); opening it binds their Telegram account:")
    print(f"https://t.me/{username}?start={code}")
    return 0
