"""The emulated Telegram world: users, chats, messages, the bot's update queue, and the
transcript entries the bot produces.

The script side acts through the people's methods (`send_text`, `press`, `block`, ...);
the Bot API side (`methods.py`) records what the bot sends. Everything runs on one event loop.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import time
import unicodedata
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.devtools.emulator.errors import bad_request, forbidden

BOT_USERNAME = "ikbt_demo_bot"
BOT_FIRST_NAME = "iKBT"
SEND_CALL_PREFIXES = ("send", "edit", "copyMessage", "forwardMessage")

_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]+))?")


def describe_chat(key: str) -> str:
    """How messages name a chat: "alice's chat" or "#therapists"."""
    return key if key.startswith("#") else f"{key}'s chat"


def is_send_call(method: str) -> bool:
    """A "send call" in the script contract: faults and `@crash on-send` apply to these."""
    return method.startswith(SEND_CALL_PREFIXES)


@dataclass
class User:
    id: int
    name: str
    language_code: str = "sv"
    is_bot: bool = False

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.name}
        if self.is_bot:
            data["username"] = BOT_USERNAME
        else:
            data["language_code"] = self.language_code
        return data


@dataclass(eq=False)
class Chat:
    id: int
    type: str  # "private" | "group" | "supergroup"
    key: str  # how transcripts and scripts name it: "alice" or "#therapists"
    owner: User | None = None  # the person of a private chat
    members: list[User] = field(default_factory=list)
    bot_blocked: bool = False  # private chat: the person blocked the bot
    bot_present: bool = True  # group: the bot is a member
    migrated_to: Chat | None = None
    previous: Chat | None = None  # the group this supergroup was migrated from
    messages: dict[int, Message] = field(default_factory=dict)
    reply_keyboard: list[list[str]] | None = None
    _message_ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def title(self) -> str:
        return self.key.removeprefix("#")

    def next_message_id(self) -> int:
        return next(self._message_ids)

    def to_api(self) -> dict[str, Any]:
        if self.type == "private":
            assert self.owner is not None
            return {"id": self.id, "type": "private", "first_name": self.owner.name}
        return {"id": self.id, "type": self.type, "title": self.title}

    def describe(self) -> str:
        return describe_chat(self.key)

    def lineage(self) -> list[Chat]:
        """This chat, then the group it was migrated from, if any."""
        chats: list[Chat] = []
        chat: Chat | None = self
        while chat is not None:
            chats.append(chat)
            chat = chat.previous
        return chats


@dataclass(eq=False)
class Message:
    chat: Chat
    message_id: int
    date: int
    sender: User  # the bot user for the bot's own messages
    text: str | None = None  # as rendered (markup parsed away)
    entities: list[dict[str, Any]] | None = None
    caption: str | None = None
    media: dict[str, Any] = field(default_factory=dict)  # {"photo": [...]} / {"document": {...}}
    reply_markup: dict[str, Any] | None = None
    edit_date: int | None = None
    service: dict[str, Any] = field(default_factory=dict)  # e.g. {"migrate_to_chat_id": ...}
    delivered: bool = False  # the bot received it as an update

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "message_id": self.message_id,
            "from": self.sender.to_api(),
            "date": self.date,
            "chat": self.chat.to_api(),
        }
        if self.edit_date is not None:
            data["edit_date"] = self.edit_date
        if self.text is not None:
            data["text"] = self.text
            if self.entities:
                data["entities"] = self.entities
        data.update(self.media)
        if self.caption:
            data["caption"] = self.caption
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            data["reply_markup"] = self.reply_markup
        data.update(self.service)
        return data

    def transcript_body(self) -> str:
        """The message as the transcript shows it (and as `expect` reads it)."""
        if "photo" in self.media:
            return f"[photo] {self.caption}" if self.caption else "[photo]"
        if "document" in self.media:
            name = self.media["document"].get("file_name", "document")
            return f"[document] {name}" + (f"\n{self.caption}" if self.caption else "")
        if "sticker" in self.media:
            return "[sticker]"
        return self.text or ""

    def inline_buttons(self) -> list[list[dict[str, Any]]]:
        if not self.reply_markup:
            return []
        return [list(row) for row in self.reply_markup.get("inline_keyboard", [])]

    def button_labels(self) -> list[list[str]]:
        """Inline buttons, or the reply keyboard this message brought, row by row."""
        if self.reply_markup and "keyboard" in self.reply_markup:
            return keyboard_labels(self.reply_markup)
        return [[str(button.get("text", "")) for button in row] for row in self.inline_buttons()]


def keyboard_labels(markup: dict[str, Any]) -> list[list[str]]:
    return [
        [button if isinstance(button, str) else str(button.get("text", "")) for button in row]
        for row in markup.get("keyboard", [])
    ]


@dataclass(eq=False)
class Entry:
    """One thing the bot did that a script can `expect`: a message, an edit, a notice."""

    seq: int
    kind: str  # "send" | "edit" | "notice"
    chat_key: str
    body: str
    buttons: list[list[str]] = field(default_factory=list)
    consumed: bool = False

    @property
    def searchable(self) -> str:
        rows = "".join("\n" + " ".join(f"[{label}]" for label in row) for row in self.buttons)
        return unicodedata.normalize("NFC", self.body + rows)


@dataclass(eq=False)
class CallbackQueryRecord:
    id: str
    presser: User
    message: Message
    answered: bool = False
    pressed_at: float = field(default_factory=time.monotonic)  # real time, for the runner


@dataclass(frozen=True)
class Press:
    """What a `[Label]`, `[~abel]` or `[#2]` line asks for."""

    how: str  # "exact" | "contains" | "index"
    value: str  # the label, the part of it, or the 1-based number

    def describe(self) -> str:
        return {"exact": "[{}]", "contains": "[~{}]", "index": "[#{}]"}[self.how].format(self.value)


class World:
    def __init__(self, *, bot_id: int, now: Callable[[], datetime]):
        self.bot = User(id=bot_id, name=BOT_FIRST_NAME, is_bot=True)
        self._now = now
        self.users: dict[str, User] = {}
        self.chats: dict[int, Chat] = {}
        self.groups: dict[str, Chat] = {}
        self.updates: deque[dict[str, Any]] = deque()
        self.allowed_updates: list[str] | None = None
        self.entries: list[Entry] = []
        self.faults: deque[str] = deque()
        self.crash_on_send_armed = False
        self.callback_queries: dict[str, CallbackQueryRecord] = {}
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self.entry_listeners: list[Callable[[Entry], None]] = []
        self.silenced_chats: set[str] = set()
        self._update_ids = itertools.count(1)
        self._entry_seq = itertools.count(1)
        self._query_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._waiters: list[asyncio.Future[None]] = []

    # -- time and ids -------------------------------------------------------------------

    def continue_update_ids_after(self, last: int) -> None:
        """Telegram's update ids only grow: a script run on an existing database (`--db`, a
        restored backup) goes on after the highest the bot has stored, as Telegram would."""
        self._update_ids = itertools.count(max(last, 0) + 1)

    def now_timestamp(self) -> int:
        return int(self._now().timestamp())

    def new_file_id(self, kind: str) -> tuple[str, str]:
        number = next(self._file_ids)
        return f"{kind.upper()}-{number:06d}-emulated", f"u{kind[:2]}{number:06d}"

    # -- people and chats ---------------------------------------------------------------

    def user(self, name: str) -> User:
        """The person called `name`, created with a private chat on first use."""
        if name not in self.users:
            user = User(id=1_000_000_000 + len(self.users) + 1, name=name)
            self.users[name] = user
            self.chats[user.id] = Chat(id=user.id, type="private", key=name, owner=user)
        return self.users[name]

    def private_chat(self, user: User) -> Chat:
        return self.chats[user.id]

    def group(self, name: str) -> Chat:
        if name not in self.groups:
            raise KeyError(f"there is no group #{name} (create it with @group first)")
        return self.groups[name]

    def create_group(self, name: str, members: list[User]) -> Chat:
        """A group with the bot and these members; an existing group gains the members (they
        join it, see `join_group`)."""
        chat = self.groups.get(name)
        if chat is not None:
            self.join_group(chat, members, by=self.group_actor(chat))
            return chat
        chat = Chat(id=-(4_000_000_000 + len(self.groups) + 1), type="group", key=f"#{name}")
        self.groups[name] = chat
        self.chats[chat.id] = chat
        for member in members:
            if member not in chat.members:
                chat.members.append(member)
        return chat

    def join_group(self, chat: Chat, users: list[User], *, by: User) -> None:
        """People join a group (added by `by`, or by themselves): Telegram's
        `new_chat_members` service message, which a bot in privacy mode receives too."""
        joining = []
        for user in users:
            if user not in chat.members and user not in joining:
                joining.append(user)
        if not joining:
            return
        chat.members.extend(joining)
        if chat.bot_present:
            note = self._new_message(
                chat, by, service={"new_chat_members": [user.to_api() for user in joining]}
            )
            self._deliver_service(note)

    def chat_by_key(self, key: str) -> Chat:
        if key.startswith("#"):
            return self.group(key[1:])
        return self.private_chat(self.user(key))

    # -- updates to the bot -------------------------------------------------------------

    def add_update(self, kind: str, payload: dict[str, Any]) -> None:
        self.updates.append({"update_id": next(self._update_ids), kind: payload})
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def confirm_updates(self, offset: int | None) -> None:
        """getUpdates' offset: updates below it are confirmed and forgotten."""
        if not offset:
            return
        if offset > 0:
            while self.updates and self.updates[0]["update_id"] < offset:
                self.updates.popleft()
        else:
            while len(self.updates) > -offset:
                self.updates.popleft()

    def deliverable_updates(self, limit: int) -> list[dict[str, Any]]:
        if self.allowed_updates:
            kept = [u for u in self.updates if self._update_kind(u) in self.allowed_updates]
            self.updates = deque(kept)
        return list(itertools.islice(self.updates, limit))

    @staticmethod
    def _update_kind(update: dict[str, Any]) -> str:
        return next(key for key in update if key != "update_id")

    async def wait_for_updates(self, timeout: float) -> None:
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await asyncio.wait_for(waiter, timeout)
        except TimeoutError:
            pass

    # -- what people do -----------------------------------------------------------------

    def _new_message(self, chat: Chat, sender: User, **fields: Any) -> Message:
        message = Message(
            chat=chat,
            message_id=chat.next_message_id(),
            date=self.now_timestamp(),
            sender=sender,
            **fields,
        )
        chat.messages[message.message_id] = message
        return message

    def _bot_hears(self, chat: Chat, message: Message) -> bool:
        """Privacy mode: in groups the bot hears commands (to it) and replies to itself only."""
        if chat.type == "private":
            return True
        if not chat.bot_present:
            return False
        match = _COMMAND.match(message.text or "")
        return bool(match) and match.group(2) in (None, BOT_USERNAME)

    def _deliver(self, kind: str, message: Message) -> None:
        if self._bot_hears(message.chat, message):
            message.delivered = True
            self.add_update(kind, message.to_api())

    def send_text(self, user: User, chat: Chat, text: str) -> Message:
        entities = None
        match = _COMMAND.match(text)
        if match:
            entities = [{"type": "bot_command", "offset": 0, "length": _utf16_len(match.group(0))}]
        message = self._new_message(chat, user, text=text, entities=entities)
        self._deliver("message", message)
        return message

    def send_sticker(self, user: User, chat: Chat) -> Message:
        file_id, unique_id = self.new_file_id("sticker")
        sticker = {
            "file_id": file_id,
            "file_unique_id": unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "🙂",
        }
        message = self._new_message(chat, user, media={"sticker": sticker})
        self._deliver("message", message)
        return message

    def send_photo(self, user: User, chat: Chat) -> Message:
        message = self._new_message(chat, user, media={"photo": self.photo_sizes()})
        self._deliver("message", message)
        return message

    def photo_sizes(self) -> list[dict[str, Any]]:
        sizes = []
        for width, height in ((90, 67), (320, 240), (1280, 960)):
            file_id, unique_id = self.new_file_id("photo")
            sizes.append(
                {
                    "file_id": file_id,
                    "file_unique_id": unique_id,
                    "width": width,
                    "height": height,
                    "file_size": width * height // 10,
                }
            )
        return sizes

    def edit_text(self, user: User, chat: Chat, text: str) -> Message:
        """The person edits their most recent text message in that chat."""
        for message in reversed(chat.messages.values()):
            if message.sender is user and message.text is not None:
                break
        else:
            raise LookupError(f"{user.name} has sent no text message in {chat.describe()} to edit")
        message.text = text
        match = _COMMAND.match(text)
        message.entities = (
            [{"type": "bot_command", "offset": 0, "length": _utf16_len(match.group(0))}]
            if match
            else None
        )
        message.edit_date = self.now_timestamp()
        if message.delivered or self._bot_hears(chat, message):
            message.delivered = True
            self.add_update("edited_message", message.to_api())
        return message

    def press(self, user: User, chat: Chat, press: Press) -> str:
        """Press a button; returns what was pressed. LookupError when there is no such button."""
        for candidate_chat in chat.lineage():
            for message in reversed(candidate_chat.messages.values()):
                if message.sender is not self.bot:
                    continue
                rows = message.inline_buttons()
                if not rows:
                    continue
                button = _choose_button(rows, press)
                if button is None and press.how != "index":
                    continue
                if button is None:
                    raise LookupError(
                        f"the newest message with buttons in {chat.describe()} has no button "
                        f"{press.describe()}"
                    )
                if "callback_data" not in button:
                    raise LookupError(f"the button [{button.get('text')}] is not pressable")
                self._callback_query(user, message, button["callback_data"])
                return str(button.get("text"))
        if chat.reply_keyboard:
            label = _choose_label(chat.reply_keyboard, press)
            if label is not None:
                self.send_text(user, chat, label)
                return label
        raise LookupError(f"no message in {chat.describe()} has a button {press.describe()}")

    def _callback_query(self, user: User, message: Message, data: str) -> None:
        query_id = str(4_000_000_000_000 + next(self._query_ids))
        self.callback_queries[query_id] = CallbackQueryRecord(query_id, user, message)
        self.add_update(
            "callback_query",
            {
                "id": query_id,
                "from": user.to_api(),
                "message": message.to_api(),
                "chat_instance": str(abs(message.chat.id) * 31 + 7),
                "data": data,
            },
        )

    def _member_update(self, chat: Chat, by: User, old: str, new: str) -> None:
        def member(status: str) -> dict[str, Any]:
            data: dict[str, Any] = {"status": status, "user": self.bot.to_api()}
            if status == "kicked":
                data["until_date"] = 0
            return data

        self.add_update(
            "my_chat_member",
            {
                "chat": chat.to_api(),
                "from": by.to_api(),
                "date": self.now_timestamp(),
                "old_chat_member": member(old),
                "new_chat_member": member(new),
            },
        )

    def group_actor(self, chat: Chat) -> User:
        """Who adds, removes or upgrades the bot's group: its first member, or an owner who
        is no person of the script."""
        return chat.members[0] if chat.members else User(id=999_999_999, name="owner")

    def set_blocked(self, user: User, blocked: bool) -> None:
        chat = self.private_chat(user)
        if chat.bot_blocked != blocked:
            chat.bot_blocked = blocked
            old, new = ("member", "kicked") if blocked else ("kicked", "member")
            self._member_update(chat, user, old, new)

    def set_bot_in_group(self, chat: Chat, present: bool) -> None:
        if chat.bot_present != present:
            chat.bot_present = present
            by = self.group_actor(chat)
            old, new = ("left", "member") if present else ("member", "left")
            self._member_update(chat, by, old, new)

    def bot_added_to_group(self, chat: Chat) -> None:
        """The bot joins a group it was created with (Telegram's my_chat_member update)."""
        by = self.group_actor(chat)
        chat.bot_present = True
        self._member_update(chat, by, "left", "member")

    def migrate(self, chat: Chat) -> Chat:
        """The group becomes a supergroup with a new id; the old id answers 400 from now on."""
        if chat.type != "group":
            raise ValueError(f"{chat.key} is a {chat.type} already, not a group")
        supergroup = Chat(
            id=-(1_002_000_000_000 + len(self.groups) * 1000 + abs(chat.id) % 1000),
            type="supergroup",
            key=chat.key,
            members=list(chat.members),
            bot_present=chat.bot_present,
            previous=chat,
        )
        chat.migrated_to = supergroup
        self.chats[supergroup.id] = supergroup
        self.groups[chat.title] = supergroup
        by = self.group_actor(chat)
        if chat.bot_present:
            old_note = self._new_message(chat, by, service={"migrate_to_chat_id": supergroup.id})
            self._deliver_service(old_note)
            new_note = self._new_message(supergroup, by, service={"migrate_from_chat_id": chat.id})
            self._deliver_service(new_note)
        return supergroup

    def _deliver_service(self, message: Message) -> None:
        message.delivered = True
        self.add_update("message", message.to_api())

    # -- what the bot does (used by the Bot API methods) --------------------------------

    def chat_for_bot(self, chat_id: int, *, sending: bool = True) -> Chat:
        """The chat a Bot API call names, or Telegram's error for it."""
        chat = self.chats.get(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        if chat.migrated_to is not None:
            raise bad_request(
                "group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to.id},
            )
        if sending and chat.type == "private" and chat.bot_blocked:
            raise forbidden("bot was blocked by the user")
        if sending and chat.type != "private" and not chat.bot_present:
            kind = "group chat" if chat.type == "group" else "supergroup chat"
            raise forbidden(f"bot was kicked from the {kind}")
        return chat

    def bot_message(self, chat: Chat, **fields: Any) -> Message:
        message = self._new_message(chat, self.bot, **fields)
        self._remember_reply_keyboard(chat, message.reply_markup)
        self._add_entry("send", chat.key, message)
        return message

    def bot_edited(self, message: Message) -> None:
        message.edit_date = self.now_timestamp()
        self._add_entry("edit", message.chat.key, message)

    def _remember_reply_keyboard(self, chat: Chat, markup: dict[str, Any] | None) -> None:
        if not markup:
            return
        if "keyboard" in markup:
            chat.reply_keyboard = keyboard_labels(markup)
        elif markup.get("remove_keyboard"):
            chat.reply_keyboard = None

    def notice(self, user: User, text: str) -> None:
        """An answerCallbackQuery text: an entry in the presser's own chat."""
        self._emit(Entry(seq=next(self._entry_seq), kind="notice", chat_key=user.name, body=text))

    def _add_entry(self, kind: str, chat_key: str, message: Message) -> None:
        self._emit(
            Entry(
                seq=next(self._entry_seq),
                kind=kind,
                chat_key=chat_key,
                body=message.transcript_body(),
                buttons=message.button_labels(),
            )
        )

    def _emit(self, entry: Entry) -> None:
        self.entries.append(entry)
        if entry.chat_key in self.silenced_chats:
            entry.consumed = True
            return
        for listener in self.entry_listeners:
            listener(entry)

    def unconsumed(self, chat_key: str) -> list[Entry]:
        return [e for e in self.entries if e.chat_key == chat_key and not e.consumed]


def _label_matches(label: str, press: Press) -> bool:
    label = unicodedata.normalize("NFC", label)
    wanted = unicodedata.normalize("NFC", press.value)
    if press.how == "exact":
        return label == wanted
    return wanted.casefold() in label.casefold()


def _choose_button(rows: list[list[dict[str, Any]]], press: Press) -> dict[str, Any] | None:
    """The button a press means. By label only callback buttons count (URL buttons cannot be
    pressed here); by number every button counts, so pressing a URL one fails clearly."""
    buttons = [button for row in rows for button in row]
    if press.how == "index":
        index = int(press.value) - 1
        return buttons[index] if 0 <= index < len(buttons) else None
    for button in buttons:
        if "callback_data" in button and _label_matches(str(button.get("text", "")), press):
            return button
    return None


def _choose_label(rows: list[list[str]], press: Press) -> str | None:
    labels = [label for row in rows for label in row]
    if press.how == "index":
        index = int(press.value) - 1
        return labels[index] if 0 <= index < len(labels) else None
    return next((label for label in labels if _label_matches(label, press)), None)


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
