"""Plays script lines against the emulator and the real bot (a child process).

One `ScriptSession` is one world: the emulator server, the fake clock, the bot (one process,
or several workers behind the emulator's webhook: bot_workers.py) and the runner's look into
the bot's database (SQLite, or PostgreSQL: a `--db postgresql://...` is emptied first).
`execute` runs one line and, when the line involved the bot, waits until the bot is idle. A
line that does not hold raises `LineFailed` (exit 1); a line that makes no sense raises
`ScriptError` (exit 2).
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from bot.devtools import scratch_postgres
from bot.devtools.bot_database import BotDatabase
from bot.devtools.bot_process import DEFAULT_COMMAND, BotExited, bot_environment
from bot.devtools.bot_workers import BotWorkers, WorkerPlan
from bot.devtools.emulator.random_faults import RandomFaults
from bot.devtools.emulator.server import EmulatorServer
from bot.devtools.emulator.world import Chat, Entry, World, describe_chat
from bot.devtools.fake_clock import FakeClock, NonexistentLocalTime, local_to_utc
from bot.devtools.script import matching
from bot.devtools.script.idle import IDLE_TIMEOUT_SECONDS, IdleWatch, NotIdle
from bot.devtools.script.parser import (
    AddGroup,
    AddStaff,
    Advance,
    At,
    Block,
    Capture,
    Crash,
    Directive,
    Down,
    Edit,
    Expect,
    ExpectNo,
    ExpectSilence,
    Fault,
    Flush,
    Migrate,
    Restart,
    Say,
    ScriptError,
    ScriptLine,
    SetClock,
    SetUser,
    parse_line,
    substitute,
)
from bot.devtools.script.transcript import Transcript
from storage import postgres

BOT_ID = 123456789


def session_token() -> str:
    """A token of the bot's shape, new for every session: a bot process left over from an
    earlier session (say, on a reused port) gets 401 here and is never taken for ours."""
    return f"{BOT_ID}:AAEmulator{secrets.token_hex(16)}"


# Lines that only change the emulator or read the transcript: they neither need the bot
# running nor leave it anything to do.
_WITHOUT_BOT = (SetClock, SetUser, Capture, Expect, ExpectNo, ExpectSilence, Flush, Fault)


class LineFailed(Exception):
    """The line did not hold; `chat` is the chat concerned, if any."""

    def __init__(self, reason: str, chat: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.chat = chat


@dataclass
class SessionOptions:
    db_path: Path | None = None  # a SQLite file, kept as it is
    database_url: str | None = None  # a PostgreSQL database, emptied first (instead of db_path)
    workers: WorkerPlan = field(default_factory=WorkerPlan)
    programs_dir: Path | None = None
    bot_command: Sequence[str] = DEFAULT_COMMAND
    idle_timeout: float = IDLE_TIMEOUT_SECONDS
    bot_env: dict[str, str] = field(default_factory=dict)  # `# bot-env:` lines of the script
    random_faults: RandomFaults | None = None  # the `# emulator-faults:` line of the script


class ScriptSession:
    def __init__(self, options: SessionOptions, transcript: Transcript):
        self.options = options
        self.transcript = transcript
        self.values: dict[str, str] = {}
        self.work_dir = Path(tempfile.mkdtemp(prefix="ikbt-demo-"))
        if options.database_url is not None and not postgres.is_url(options.database_url):
            raise ValueError("database_url must be a postgresql:// URL")
        self.db_path = options.db_path or self.work_dir / "demo.sqlite3"
        self.database_target = options.database_url or self.db_path
        # The bot's logs: beside the SQLite file, or in the work folder on PostgreSQL.
        self.log_base = self.work_dir / "demo" if options.database_url else self.db_path
        self.log_path = self.log_base.with_name(self.log_base.name + ".bot.log")
        self.clock = FakeClock(self.work_dir / "clock.txt")
        self.world = World(bot_id=BOT_ID, now=lambda: self.clock.now)
        self.world.entry_listeners.append(transcript.entry)
        self.token = session_token()
        self.server = EmulatorServer(self.world, self.token, random_faults=options.random_faults)
        self.server.on_fault = lambda kind, method: transcript.note(f"⚡ {kind} on {method}")
        self.bot: BotWorkers | None = None
        self.database = BotDatabase(self.database_target)
        self._idle: IdleWatch | None = None
        self._handlers: dict[type, Callable[[Directive, ScriptLine], Awaitable[None]]] = {
            SetClock: self._set_clock,
            SetUser: self._set_user,
            AddStaff: self._add_staff,
            AddGroup: self._add_group,
            Say: self._say,
            Edit: self._edit,
            Advance: self._advance,
            At: self._at,
            Capture: self._capture,
            Expect: self._expect,
            ExpectNo: self._expect_no,
            ExpectSilence: self._expect_silence,
            Flush: self._flush,
            Block: self._block,
            Migrate: self._migrate,
            Fault: self._fault,
            Restart: self._restart,
            Crash: self._crash,
            Down: self._down,
        }

    # -- life cycle ---------------------------------------------------------------------

    async def open(self) -> None:
        if self.options.database_url is not None:
            scratch_postgres.empty(self.options.database_url)
        if self.options.workers.count > 1:
            self.database.migrate()
        self.world.continue_update_ids_after(self.database.last_update_id())
        await self.server.start()  # first: each worker's environment names its port
        self.bot = BotWorkers(
            self.options.workers,
            command=self.options.bot_command,
            environment=self._bot_environment,
            log_base=self.log_base,
            reachable_calls=lambda number: self.server.reachable_calls[number],
        )
        self.server.webhook.set_workers(self.bot.webhook_urls)
        # The worker whose send call it was dies (the others go on).
        self.server.on_crash_on_send = partial(self.bot.kill_worker_now, restart=True)
        self._idle = IdleWatch(
            server=self.server,
            bot=self.bot,
            database=self.database,
            clock=self.clock,
            timeout=self.options.idle_timeout,
        )

    def _bot_environment(self, worker: int) -> dict[str, str]:
        env = bot_environment(
            token=self.token,
            api_base_url=self.server.worker_base_url(worker),
            database=self.database_target,
            clock_file=self.clock.path,
            programs_dir=self.options.programs_dir,
        )
        return env | self.options.bot_env

    async def close(self, *, keep_files: bool = False) -> None:
        if self.bot is not None:
            await self.bot.stop()
        self.database.close()
        await self.server.stop()
        self.clock.path.unlink(missing_ok=True)
        if keep_files and self.options.db_path is None:
            return  # the fresh database and the bot's logs stay, to look into the failure
        shutil.rmtree(self.work_dir, ignore_errors=True)

    @property
    def log_paths(self) -> list[Path]:
        return self.bot.log_paths if self.bot is not None else [self.log_path]

    # -- one line -----------------------------------------------------------------------

    async def execute(self, line: ScriptLine) -> None:
        text = substitute(line.text, line.number, self.values)
        directive = parse_line(text, line.number)
        self.transcript.echo(text)
        try:
            if not isinstance(directive, _WITHOUT_BOT):
                await self._ensure_bot()
            await self._handlers[type(directive)](directive, ScriptLine(line.number, text))
            if not isinstance(directive, _WITHOUT_BOT):
                await self._wait_idle()
        except (BotExited, NotIdle) as problem:
            raise LineFailed(str(problem)) from None

    def unconsumed(self, chat: str) -> list[Entry]:
        return self.world.unconsumed(chat)

    async def _ensure_bot(self) -> None:
        assert self.bot is not None
        if not self.bot.started:
            await self.bot.start()
            await self._wait_idle()

    async def _wait_idle(self) -> None:
        assert self._idle is not None
        await self._idle.wait()

    def _chat(self, key: str, line: ScriptLine) -> Chat:
        try:
            return self.world.chat_by_key(key)
        except KeyError as missing:
            raise ScriptError(line.number, line.text, missing.args[0]) from None

    def _speaker_chat(self, actor: str, group: str | None, line: ScriptLine) -> Chat:
        person = self.world.user(actor)
        if group is None:
            return self.world.private_chat(person)
        chat = self._chat(f"#{group}", line)
        self.world.join_group(chat, [person], by=person)  # speaking there, they joined it
        return chat

    # -- the world ----------------------------------------------------------------------

    async def _set_clock(self, directive: SetClock, line: ScriptLine) -> None:
        if self.bot is not None and self.bot.started:
            raise ScriptError(line.number, line.text, "@clock must come before the first message")
        try:
            self.clock.set(local_to_utc(directive.local, directive.zone), directive.zone)
        except NonexistentLocalTime as gap:
            raise ScriptError(line.number, line.text, str(gap)) from None

    async def _set_user(self, directive: SetUser, line: ScriptLine) -> None:
        person = self.world.user(directive.name)
        if directive.language_code:
            person.language_code = directive.language_code

    async def _add_staff(self, directive: AddStaff, line: ScriptLine) -> None:
        person = self.world.user(directive.name)
        chat = self.world.private_chat(person)
        for role in directive.roles:
            code = self.database.add_staff_role(
                name=directive.name,
                role=role,
                unit_name=directive.unit,
                telegram_user_id=person.id,
                now=self.clock.now,
            )
            if code is not None:
                # As the staff bootstrap command would: the person opens their bind link.
                bind = partial(self.world.send_text, person, chat, f"/start {code}")
                await self._quietly(chat, bind)

    async def _add_group(self, directive: AddGroup, line: ScriptLine) -> None:
        """A new group: the bot is added (its answer unprinted). An existing one: the members
        join it (the bot hears of it, as from Telegram). Registered as the unit's channel in
        the database, unless `unregistered`: then the staff send /channel there."""
        members = [self.world.user(name) for name in directive.members]
        existing = self.world.groups.get(directive.name)
        if existing is not None:
            self._register_group(directive, existing)  # before anyone joins: no race
            self.world.join_group(existing, members, by=self.world.group_actor(existing))
            return
        chat = self.world.create_group(directive.name, members)
        self._register_group(directive, chat)
        await self._quietly(chat, partial(self.world.bot_added_to_group, chat))

    def _register_group(self, directive: AddGroup, chat: Chat) -> None:
        if directive.registered:
            self.database.set_therapist_channel(
                unit_name=directive.unit, chat_id=chat.id, now=self.clock.now
            )

    async def _quietly(self, chat: Chat, action: Callable[[], object]) -> None:
        """Do something in a chat and let the bot answer it, without printing the answers;
        they are consumed."""
        self.world.silenced_chats.add(chat.key)
        try:
            action()
            await self._wait_idle()
        finally:
            self.world.silenced_chats.discard(chat.key)

    async def _say(self, directive: Say, line: ScriptLine) -> None:
        person = self.world.user(directive.actor)
        chat = self._speaker_chat(directive.actor, directive.group, line)
        if directive.kind == "text":
            self.world.send_text(person, chat, directive.text)
        elif directive.kind == "sticker":
            self.world.send_sticker(person, chat)
        elif directive.kind == "photo":
            self.world.send_photo(person, chat)
        else:
            assert directive.press is not None
            try:
                self.world.press(person, chat, directive.press)
            except LookupError as missing:
                raise LineFailed(str(missing), chat.key) from None

    async def _edit(self, directive: Edit, line: ScriptLine) -> None:
        person = self.world.user(directive.actor)
        chat = self._speaker_chat(directive.actor, directive.group, line)
        try:
            self.world.edit_text(person, chat, directive.text)
        except LookupError as missing:
            raise LineFailed(str(missing), chat.key) from None

    async def _block(self, directive: Block, line: ScriptLine) -> None:
        if directive.chat.startswith("#"):
            self.world.set_bot_in_group(self._chat(directive.chat, line), not directive.blocked)
        else:
            self.world.set_blocked(self.world.user(directive.chat), directive.blocked)

    async def _migrate(self, directive: Migrate, line: ScriptLine) -> None:
        try:
            self.world.migrate(self._chat(f"#{directive.group}", line))
        except ValueError as why:
            raise ScriptError(line.number, line.text, str(why)) from None

    async def _fault(self, directive: Fault, line: ScriptLine) -> None:
        self.world.faults.extend([directive.kind] * directive.count)

    # -- time ---------------------------------------------------------------------------

    async def _advance(self, directive: Advance, line: ScriptLine) -> None:
        await self._move_clock_to(self.clock.now + directive.delta)

    async def _at(self, directive: At, line: ScriptLine) -> None:
        try:
            target = local_to_utc(directive.local, self.clock.zone)
        except NonexistentLocalTime as gap:
            raise ScriptError(line.number, line.text, str(gap)) from None
        if target < self.clock.now:
            raise ScriptError(
                line.number,
                line.text,
                f"@at {directive.local:%Y-%m-%d %H:%M} is in the past"
                f" (the clock is at {self.clock.local()})",
            )
        await self._move_clock_to(target)

    async def _move_clock_to(self, target) -> None:
        """Stop at each instant something falls due, in time order, and let the bot run to
        idle there; then end at the target."""
        while True:
            due = self.database.next_due_at(self.clock.now, target)
            if due is None or due >= target or due <= self.clock.now:
                break
            self.clock.set(due)
            self.transcript.clock(self.clock.local())
            await self._wait_idle()
        self.clock.set(target)
        self.transcript.clock(self.clock.local())

    # -- the bot's life -----------------------------------------------------------------

    async def _restart(self, directive: Restart, line: ScriptLine) -> None:
        assert self.bot is not None
        await self.bot.stop()
        await self.bot.start()

    async def _crash(self, directive: Crash, line: ScriptLine) -> None:
        assert self.bot is not None
        if directive.on_send:
            self.world.crash_on_send_armed = True
            return
        await self.bot.kill()
        await self.bot.start()

    async def _down(self, directive: Down, line: ScriptLine) -> None:
        assert self.bot is not None
        await self.bot.kill()
        self.clock.set(self.clock.now + directive.delta)
        self.transcript.clock(self.clock.local())
        await self.bot.start()

    # -- what the bot said --------------------------------------------------------------

    async def _capture(self, directive: Capture, line: ScriptLine) -> None:
        value = matching.capture(self.unconsumed(directive.chat), directive.pattern)
        if value is None:
            raise LineFailed(
                f"no unconsumed message in {describe_chat(directive.chat)} matches"
                f" /{directive.pattern.pattern}/",
                directive.chat,
            )
        self.values[directive.variable] = value

    async def _expect(self, directive: Expect, line: ScriptLine) -> None:
        if matching.expect(self.unconsumed(directive.chat), directive.matcher) is None:
            raise LineFailed(
                f"no unconsumed message in {describe_chat(directive.chat)}"
                f" {directive.matcher.describe()}",
                directive.chat,
            )

    async def _expect_no(self, directive: ExpectNo, line: ScriptLine) -> None:
        for entry in self.unconsumed(directive.chat):
            if directive.matcher.search(entry):
                raise LineFailed(
                    f"an unconsumed message in {describe_chat(directive.chat)}"
                    f" {directive.matcher.describe()}",
                    directive.chat,
                )

    async def _expect_silence(self, directive: ExpectSilence, line: ScriptLine) -> None:
        if self.unconsumed(directive.chat):
            raise LineFailed(
                f"{describe_chat(directive.chat)} has unconsumed messages", directive.chat
            )

    async def _flush(self, directive: Flush, line: ScriptLine) -> None:
        for entry in self.world.entries:
            if directive.chat is None or entry.chat_key == directive.chat:
                entry.consumed = True
