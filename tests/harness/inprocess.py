"""The real bot in-process: the real PTB Application with the real handlers, the real poller
path (store in the inbox, then `process_update`) and a real SQLite database in a folder, with
Telegram replaced by a request object that answers locally (as python-telegram-bot's own
tests do). Nothing of ours is mocked: a turn writes its replies to the outbox, and that is
what a test reads. The sender is not run (its rate limits keep real time); see README.md.

    bot = await InProcessBot.start(tmp_path)
    anna = await bot.add_staff(100, "Anna")
    patient = await bot.enrol_patient(anna, 200, "P1")
    await bot.text(patient, "hej")
    assert "..." in bot.last_text(patient)
    await bot.close()
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from telegram.ext import Application, ContextTypes
from telegram.request import BaseRequest, RequestData

from bot.clock import FixedClock
from bot.i18n import LANGUAGES, Translator
from bot.router import COMMAND_LISTS
from bot.telegram import handlers
from bot.telegram.polling import InboxPoller
from bot.telegram.runtime import Runtime
from bot.telegram.sender import Sender
from bot.turn.context import World
from storage import inbox, staff, worker_locks
from storage.database import Database, Target, connect_sync
from storage.worker_locks import WorkerLocks
from tests.harness.bundled import bundled_programs, bundled_questionnaires
from tests.harness.databases import database_for

START = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # a Tuesday, in office hours in Sweden
TOKEN = "123456:" + "A" * 35
BOT_USER = {
    "id": 123456,
    "is_bot": True,
    "first_name": "iKBT",
    "username": "ikbt_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


class OfflineRequest(BaseRequest):
    """Answers every Bot API call locally and remembers it: getMe is the bot above, a send
    gets a message back, anything else `true`."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []
        self._message_ids = iter(range(1, 10**9))

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout=None,
        write_timeout=None,
        connect_timeout=None,
        pool_timeout=None,
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        self.calls.append((name, params))
        return 200, json.dumps({"ok": True, "result": self._result(name, params)}).encode()

    def _result(self, name: str, params: dict):
        if name == "getMe":
            return BOT_USER
        if name.startswith("send") or name.startswith("edit"):
            chat = {"id": params.get("chat_id", 0), "type": "private", "first_name": "x"}
            return {"message_id": next(self._message_ids), "date": 0, "chat": chat}
        return True


@dataclass(frozen=True)
class Person:
    """A Telegram user in a private chat with the bot (chat id = user id)."""

    user_id: int
    language: str = "sv"
    name: str = "Test"

    @property
    def chat_id(self) -> int:
        return self.user_id


class InProcessBot:
    def __init__(
        self,
        path: Path | str,
        database: Database,
        application: Application,
        clock,
        locks: WorkerLocks,
    ):
        self.path = path
        self.database = database
        self.application = application
        self.clock = clock
        self.request: OfflineRequest = application.bot.request  # type: ignore[assignment]
        self.errors: list[BaseException] = []  # what reached PTB's error handlers
        self.conn: sqlite3.Connection = connect_sync(path)  # for reading in tests
        self._locks = locks  # the chat locks every worker on a shared database takes
        self._poller = InboxPoller(application, database, clock, locks=locks)
        # On a database that has been used before (a copy), new updates come after its own.
        stored = self.conn.execute("SELECT COALESCE(MAX(update_id), 0) FROM inbox").fetchone()
        self._update_ids = iter(range(stored[0] + 1, 10**12))
        self._message_ids = iter(range(1, 10**12))
        self._payloads: dict[int, dict] = {}

    # ---- life ---------------------------------------------------------------------------

    @classmethod
    async def start(
        cls,
        folder: Path,
        *,
        now: datetime = START,
        default_language: str = "sv",
        target: Target | None = None,
    ) -> InProcessBot:
        """The bot on `target` (a PostgreSQL URL, or a SQLite file for a test about SQLite's
        files), or on the test's database: a new SQLite file in `folder`, or a fresh
        PostgreSQL database in the second pass."""
        path = target or database_for(Path(folder))
        clock = FixedClock(now)
        database = await Database.open(path)
        request = OfflineRequest()
        application = (
            Application.builder()
            .token(TOKEN)
            .updater(None)
            .request(request)
            .get_updates_request(OfflineRequest())
            .build()
        )
        handlers.register(application)
        await application.initialize()
        world = World(
            programs=bundled_programs(),
            questionnaires=bundled_questionnaires(),
            bot_username=application.bot.username,
            invite_valid_days=14,
            default_language=default_language,
            commands=COMMAND_LISTS,
        )
        sender = Sender(application.bot, database, clock, poll_interval=1.0)
        application.bot_data["runtime"] = Runtime(database, clock, world, sender)
        locks = await WorkerLocks.open(path, worker_locks.POLLING)
        bot = cls(path, database, application, clock, locks)
        application.add_error_handler(bot._record_error)
        return bot

    @property
    def runtime(self) -> Runtime:
        """What the handlers share: database, clock, world and the (not running) sender."""
        return self.application.bot_data["runtime"]

    async def close(self) -> None:
        await self.application.shutdown()
        await self.database.close()
        await self._locks.close()
        self.conn.close()

    async def _record_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        self.errors.append(context.error)

    def advance(self, delta: timedelta) -> None:
        self.clock.advance(delta)

    # ---- people -------------------------------------------------------------------------

    async def add_staff(
        self, user_id: int, name: str, role: str = "therapist", unit: str = "Växjö"
    ) -> Person:
        """A staff member bound to Telegram user `user_id` (their /start with the code)."""
        now = self.clock.now()
        code = await self.database.transaction(
            lambda conn: staff.add_staff_role(
                conn, name=name, role=role, unit_name=unit, telegram_user_id=None, now=now
            )
        )
        person = Person(user_id, name=name)
        await self.command(person, "start", code)
        return person

    async def enrol_patient(
        self,
        therapist: Person,
        user_id: int,
        label: str,
        program: str = "depression",
        *,
        confirmed: bool = True,
    ) -> Person:
        """/invite by the therapist, /start with the code, the consent button pressed and
        (unless `confirmed` is False) the therapist's "Ja, det är min patient"."""
        await self.command(therapist, "invite", program, label)
        match = re.search(r"\?start=([A-Za-z0-9_-]+)", self.last_text(therapist))
        if match is None:
            raise AssertionError(f"no invite link: {self.last_text(therapist)!r}")
        person = Person(user_id)
        await self.command(person, "start", match.group(1))
        await self.press_data(person, self.button_data(person, r"-\|consent:yes:"))
        if confirmed:
            await self.press_data(therapist, self.button_data(therapist, r"-\|identity:yes:"))
        return person

    # ---- what people send ---------------------------------------------------------------

    async def send(self, payload: dict) -> int:
        """One update as Telegram would deliver it: stored in the inbox first, then handled
        through the real poller path. A repeated update_id changes nothing, as in production."""
        now = self.clock.now()
        self._payloads.setdefault(payload["update_id"], payload)
        await self.database.transaction(lambda conn: inbox.add(conn, [payload], now))
        await self._poller.handle_stored()
        return payload["update_id"]

    async def repeat(self, update_id: int) -> int:
        """The same update again (Telegram repeating it after a lost confirmation)."""
        return await self.send(self._payloads[update_id])

    async def text(self, person: Person, text: str) -> int:
        return await self.send(self._message_update(person, {"text": text}))

    async def command(self, person: Person, name: str, *args: str) -> int:
        command = f"/{name}"
        text = " ".join((command, *args))
        length = len(command.encode("utf-16-le")) // 2  # Telegram counts UTF-16 units
        entity = {"type": "bot_command", "offset": 0, "length": length}
        return await self.send(self._message_update(person, {"text": text, "entities": [entity]}))

    async def sticker(self, person: Person) -> int:
        sticker = {
            "file_id": "sticker-1",
            "file_unique_id": "s1",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
        return await self.send(self._message_update(person, {"sticker": sticker}))

    async def photo(self, person: Person, caption: str | None = None) -> int:
        photo = [{"file_id": "photo-1", "file_unique_id": "p1", "width": 90, "height": 90}]
        extra = {"photo": photo, **({"caption": caption} if caption is not None else {})}
        return await self.send(self._message_update(person, extra))

    async def edit(self, person: Person, text: str, message_id: int = 1) -> int:
        message = self._message(person, {"text": text, "edit_date": self._date()})
        message["message_id"] = message_id
        return await self.send({"update_id": next(self._update_ids), "edited_message": message})

    async def press_data(self, person: Person, data: str, message_id: int | None = None) -> int:
        """A button press with exactly this callback data (forged or stale data too)."""
        message = self._message(person, {"text": "…"})
        message["from"] = BOT_USER
        if message_id is not None:
            message["message_id"] = message_id
        query = {
            "id": str(next(self._message_ids)),
            "from": self._user(person),
            "chat_instance": f"ci-{person.chat_id}",
            "data": data,
            "message": message,
        }
        return await self.send({"update_id": next(self._update_ids), "callback_query": query})

    async def press(self, person: Person, label: str) -> int:
        """Press the button with this label on the newest queued message that has it."""
        for candidate in self.buttons(person, messages=200):
            if candidate["text"] == label:
                return await self.press_data(
                    person, candidate["callback_data"], candidate["message_id"]
                )
        raise AssertionError(f"no button {label!r} for {person.user_id}")

    # ---- what the bot queued ------------------------------------------------------------

    def outbox(self, person: Person | int, *, after: int = 0) -> list[dict]:
        """The person's queued calls, oldest first: {id, method, params, status}."""
        chat_id = person.chat_id if isinstance(person, Person) else person
        rows = self.conn.execute(
            "SELECT id, method, payload_json, status FROM outbox"
            " WHERE chat_id = ? AND id > ? ORDER BY id",
            (chat_id, after),
        )
        return [
            {
                "id": r["id"],
                "method": r["method"],
                "params": json.loads(r["payload_json"] or "{}"),  # erased once sent
                "status": r["status"],
            }
            for r in rows
        ]

    def texts(self, person: Person | int, *, after: int = 0) -> list[str]:
        """The texts (and captions) queued for the person, oldest first."""
        found = [row["params"] for row in self.outbox(person, after=after)]
        return [params.get("text") or params["caption"] for params in found if _readable(params)]

    def last_text(self, person: Person | int) -> str:
        texts = self.texts(person)
        if not texts:
            raise AssertionError("nothing queued for this person")
        return texts[-1]

    def buttons(self, person: Person, *, messages: int = 50) -> list[dict]:
        """The callback buttons of the person's newest `messages` messages with buttons,
        newest message first."""
        rows = self.conn.execute(
            "SELECT id, payload_json FROM outbox WHERE chat_id = ?"
            " AND payload_json LIKE '%reply_markup%' ORDER BY id DESC LIMIT ?",
            (person.chat_id, messages),
        )
        return [
            {**candidate, "message_id": row["id"]}
            for row in rows
            for candidate in _buttons({"params": json.loads(row["payload_json"])})
            if "callback_data" in candidate
        ]

    def latest_buttons(self, person: Person) -> list[dict]:
        """The callback buttons of the newest message that has any."""
        found = self.buttons(person, messages=5)
        return [b for b in found if found and b["message_id"] == found[0]["message_id"]]

    def button_data(self, person: Person, pattern: str) -> str:
        for candidate in self.buttons(person):
            if re.match(pattern, candidate["callback_data"]):
                return candidate["callback_data"]
        raise AssertionError(f"no button matching {pattern!r} for {person.user_id}")

    def last_outbox_id(self) -> int:
        return self.conn.execute("SELECT COALESCE(MAX(id), 0) FROM outbox").fetchone()[0]

    def answered_callbacks(self) -> list[dict]:
        return [params for name, params in self.request.calls if name == "answerCallbackQuery"]

    # ---- what went wrong ----------------------------------------------------------------

    def apologies(self, *, after: int = 0) -> list[int]:
        """Outbox rows holding the apology a failed turn sends (a bug was hit)."""
        starts = [Translator(language)("error.apology") for language in LANGUAGES]
        rows = self.conn.execute("SELECT id, payload_json FROM outbox WHERE id > ?", (after,))
        return [
            row["id"]
            for row in rows
            if any(json.loads(row["payload_json"]).get("text", "").startswith(s) for s in starts)
        ]

    def unhandled_updates(self) -> list[int]:
        rows = self.conn.execute("SELECT update_id FROM inbox WHERE processed_at IS NULL")
        return [row[0] for row in rows]

    def outbox_not_pending(self) -> list[tuple[int, str]]:
        """Rows stuck in 'sending', failed or set aside (nothing is sent here, so any row
        not 'pending' is one the bot gave up on or left half-done)."""
        # A row withheld because the patient's treatment ended (storage/outbox.py
        # withhold_outreach, the outreach gate) is the gate doing its job, not a give-up.
        rows = self.conn.execute(
            "SELECT id, status FROM outbox o WHERE status != 'pending' AND NOT ("
            " o.last_error = 'withheld' AND EXISTS (SELECT 1 FROM patients p"
            " WHERE p.chat_id = o.chat_id AND p.outreach_stopped_at IS NOT NULL))"
        )
        return [(row[0], row[1]) for row in rows]

    def count(self, table: str, where: str = "TRUE", *args: object) -> int:
        return self.conn.execute(f"SELECT COUNT(*) FROM {table} WHERE {where}", args).fetchone()[0]

    # ---- update payloads ----------------------------------------------------------------

    def _date(self) -> int:
        return int(self.clock.now().timestamp())

    def _user(self, person: Person) -> dict:
        return {
            "id": person.user_id,
            "is_bot": False,
            "first_name": person.name,
            "language_code": person.language,
        }

    def _message(self, person: Person, extra: dict) -> dict:
        return {
            "message_id": next(self._message_ids),
            "date": self._date(),
            "chat": {"id": person.chat_id, "type": "private", "first_name": person.name},
            "from": self._user(person),
            **extra,
        }

    def _message_update(self, person: Person, extra: dict) -> dict:
        return {"update_id": next(self._update_ids), "message": self._message(person, extra)}


def _readable(params: dict) -> bool:
    return bool(params.get("text") or params.get("caption"))


def _buttons(row: dict) -> list[dict]:
    markup = row["params"].get("reply_markup")
    if not markup:
        return []
    keyboard = json.loads(markup) if isinstance(markup, str) else markup
    return [button for line in keyboard.get("inline_keyboard", []) for button in line]
