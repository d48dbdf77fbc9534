"""A small stand-in for the real bot, to test the script runner on its own.

Run as `python -m tests.devtools.standin_bot` with the environment the runner gives the bot.
It answers with python-telegram-bot's `Bot`, confirms an update only after handling it, and
keeps reminders as outbox rows (via `storage`) so `@advance` has something to stop at.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest

from storage.database import connect_sync, migrate_sync
from storage.outbox import OutgoingCall, enqueue
from storage.timefmt import to_db


def now() -> datetime:
    text = Path(os.environ["FAKE_CLOCK_FILE"]).read_text(encoding="utf-8")
    return datetime.fromisoformat(text).astimezone(UTC)


class StandIn:
    def __init__(self) -> None:
        timeout = float(os.environ.get("TELEGRAM_REQUEST_TIMEOUT_SECONDS", "2"))
        self.bot = Bot(
            os.environ["TELEGRAM_BOT_TOKEN"],
            base_url=os.environ["TELEGRAM_API_BASE_URL"],
            request=HTTPXRequest(read_timeout=timeout, connect_timeout=timeout),
            get_updates_request=HTTPXRequest(read_timeout=10),
        )
        self.db = connect_sync(os.environ["DATABASE_PATH"])
        migrate_sync(self.db)

    async def call(self, coroutine_factory):
        """Send with retries: 429 waits retry_after, 500 and time-outs retry soon."""
        for _ in range(10):
            try:
                return await coroutine_factory()
            except RetryAfter as wait:
                await asyncio.sleep(wait._retry_after.total_seconds())
            except (TimedOut, NetworkError):
                await asyncio.sleep(0.1)
            except (Forbidden, BadRequest):
                return None
        return None

    async def say(self, chat_id: int, text: str, **kwargs):
        return await self.call(lambda: self.bot.send_message(chat_id, text, **kwargs))

    async def handle(self, update: Update) -> None:
        if update.callback_query:
            query = update.callback_query
            await self.call(
                lambda: self.bot.answer_callback_query(query.id, f"pressed {query.data}")
            )
            await self.call(
                lambda: self.bot.edit_message_text(
                    f"chose {query.data}", query.message.chat.id, query.message.message_id
                )
            )
            return
        if update.my_chat_member:
            member = update.my_chat_member
            if member.chat.type != "private" and member.new_chat_member.status == "member":
                await self.say(member.chat.id, "hello group")
            return
        if update.edited_message:
            await self.say(update.edited_message.chat.id, f"edited: {update.edited_message.text}")
            return
        message = update.message
        if message is None or message.migrate_to_chat_id or message.migrate_from_chat_id:
            return
        chat_id = message.chat.id
        if message.sticker:
            await self.say(chat_id, "nice sticker")
        elif message.photo:
            await self.say(chat_id, "nice photo")
        elif message.text == "/buttons":
            keyboard = InlineKeyboardMarkup(
                [
                    [
                        InlineKeyboardButton("Apple", callback_data="a"),
                        InlineKeyboardButton("Banana", callback_data="b"),
                    ],
                    [InlineKeyboardButton("Site", url="https://example.org")],
                    [InlineKeyboardButton("Cherry", callback_data="c")],
                ]
            )
            await self.say(chat_id, "<b>Choose</b> one", parse_mode="HTML", reply_markup=keyboard)
        elif message.text == "/remind":
            for hours in (1, 3):
                call = OutgoingCall(chat_id, "sendMessage", {"text": f"reminder after {hours}h"})
                enqueue(self.db, call, now() + timedelta(hours=hours))
            await self.say(chat_id, "reminders set")
        elif message.text == "/files":
            await self.call(lambda: self.bot.send_photo(chat_id, b"\x89PNG", caption="a chart"))
            await self.call(lambda: self.bot.send_document(chat_id, b"{}", filename="answers.json"))
        elif message.text == "/die":
            os._exit(3)
        elif message.text == "/time":
            await self.say(chat_id, f"it is {now():%Y-%m-%d %H:%M} UTC")
        elif message.text == "/ping":
            await self.say(chat_id, "pong")
        elif message.text == "/slow":
            await asyncio.Event().wait()  # stuck on this update for good
        elif message.text:
            await self.say(chat_id, f"echo: {message.text}")

    async def send_due(self) -> None:
        while True:
            rows = self.db.execute(
                "SELECT id, chat_id, payload_json FROM outbox"
                " WHERE status = 'pending' AND not_before <= ?",
                (to_db(now()),),
            ).fetchall()
            for row in rows:
                await self.say(row["chat_id"], json.loads(row["payload_json"])["text"])
                self.db.execute("UPDATE outbox SET status = 'sent' WHERE id = ?", (row["id"],))
            await asyncio.sleep(0.05)

    async def poll(self) -> None:
        offset = None
        while True:
            try:
                updates = await self.bot.get_updates(offset=offset, timeout=5)
            except (TimedOut, NetworkError):
                await asyncio.sleep(0.1)
                continue
            for update in updates:
                await self.handle(update)
                offset = update.update_id + 1

    async def run(self) -> None:
        await self.bot.initialize()
        loop = asyncio.get_running_loop()
        stopping = asyncio.Event()
        loop.add_signal_handler(signal.SIGTERM, stopping.set)
        tasks = [asyncio.create_task(self.poll()), asyncio.create_task(self.send_due())]
        await stopping.wait()
        for task in tasks:
            task.cancel()
        await self.bot.shutdown()


if __name__ == "__main__":
    try:
        asyncio.run(StandIn().run())
    except sqlite3.Error as error:
        print(f"database error: {error}", file=sys.stderr)
        raise
