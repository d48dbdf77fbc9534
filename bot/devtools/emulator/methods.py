"""The Bot API methods the bot uses, answered over the emulated world in the official shapes.

`getUpdates` lives in the server, because it waits, and the webhook's methods in `webhook.py`,
because a webhook pushes; everything here answers at once.
"""

from __future__ import annotations

import json
import mimetypes
import re
from collections.abc import Callable
from typing import Any

from bot.devtools.emulator.errors import ApiError, bad_request
from bot.devtools.emulator.params import FileUpload, Params
from bot.devtools.emulator.rendering import render, telegram_length
from bot.devtools.emulator.world import BOT_USERNAME, Message, World

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
NOTICE_LIMIT = 200
_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
_INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)

Handler = Callable[[Params], Any]


class BotApi:
    """Dispatches a method name to its handler. Names are case-insensitive, as Telegram's."""

    def __init__(self, world: World):
        self.world = world
        handlers: dict[str, Handler] = {
            "getMe": self.get_me,
            "logOut": self._true,
            "close": self._true,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "setMyDescription": self._true,
            "setMyShortDescription": self._true,
            "setMyName": self._true,
            "setChatMenuButton": self.set_chat_menu_button,
            "getChatMenuButton": self.get_chat_menu_button,
            "getChat": self.get_chat,
            "sendChatAction": self.send_chat_action,
            "sendMessage": self.send_message,
            "sendPhoto": self.send_photo,
            "sendDocument": self.send_document,
            "editMessageText": self.edit_message_text,
            "editMessageCaption": self.edit_message_caption,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "deleteMessage": self.delete_message,
            "answerCallbackQuery": self.answer_callback_query,
        }
        self._handlers = {name.lower(): (name, handler) for name, handler in handlers.items()}

    def canonical_name(self, method: str) -> str | None:
        found = self._handlers.get(method.lower())
        return found[0] if found else None

    def call(self, method: str, params: Params) -> Any:
        found = self._handlers.get(method.lower())
        if found is None:
            raise ApiError(404, "Not Found: method not found")
        return found[1](params)

    # -- the bot itself -----------------------------------------------------------------

    def _true(self, params: Params) -> bool:
        return True

    def get_me(self, params: Params) -> dict[str, Any]:
        return {
            **self.world.bot.to_api(),
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    @staticmethod
    def _commands_key(params: Params) -> tuple[str, str]:
        scope = params.json("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), params.str("language_code") or ""

    def set_my_commands(self, params: Params) -> bool:
        commands = params.json("commands")
        if not isinstance(commands, list):
            raise bad_request("commands must be an array")
        if len(commands) > 100:
            raise bad_request("too many commands specified")
        for command in commands:
            if not isinstance(command, dict):
                raise bad_request("can't parse BotCommand")
            if not _COMMAND_NAME.match(str(command.get("command", ""))):
                raise bad_request("command is invalid")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad_request("command description is invalid")
        self.world.commands[self._commands_key(params)] = commands
        return True

    def get_my_commands(self, params: Params) -> list[dict[str, Any]]:
        return self.world.commands.get(self._commands_key(params), [])

    def delete_my_commands(self, params: Params) -> bool:
        self.world.commands.pop(self._commands_key(params), None)
        return True

    def set_chat_menu_button(self, params: Params) -> bool:
        self.world.menu_buttons[params.int("chat_id")] = params.json("menu_button") or {
            "type": "default"
        }
        return True

    def get_chat_menu_button(self, params: Params) -> dict[str, Any]:
        return self.world.menu_buttons.get(params.int("chat_id"), {"type": "default"})

    # -- chats --------------------------------------------------------------------------

    def get_chat(self, params: Params) -> dict[str, Any]:
        chat = self.world.chat_for_bot(params.chat_id(), sending=False)
        return {
            **chat.to_api(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    def send_chat_action(self, params: Params) -> bool:
        self.world.chat_for_bot(params.chat_id())
        if not params.str("action"):
            raise bad_request("action is empty")
        return True

    # -- sending ------------------------------------------------------------------------

    def send_message(self, params: Params) -> dict[str, Any]:
        chat = self.world.chat_for_bot(params.chat_id())
        text = _message_text(params)
        markup = _reply_markup(params, inline_only=False)
        return self.world.bot_message(chat, text=text, reply_markup=markup).to_api()

    def send_photo(self, params: Params) -> dict[str, Any]:
        chat = self.world.chat_for_bot(params.chat_id())
        if params.file("photo") is None:
            raise bad_request("there is no photo in the request")
        caption = _caption(params)
        markup = _reply_markup(params, inline_only=False)
        message = self.world.bot_message(
            chat, media={"photo": self.world.photo_sizes()}, caption=caption, reply_markup=markup
        )
        return message.to_api()

    def send_document(self, params: Params) -> dict[str, Any]:
        chat = self.world.chat_for_bot(params.chat_id())
        document = params.file("document")
        if document is None:
            raise bad_request("there is no document in the request")
        caption = _caption(params)
        markup = _reply_markup(params, inline_only=False)
        file_id, unique_id = self.world.new_file_id("document")
        if isinstance(document, FileUpload):
            name, size = document.filename, document.size
            mime = document.content_type
        else:
            name, size = document.rsplit("/", 1)[-1] or "document", 0
            mime = None
        described: dict[str, Any] = {
            "file_id": file_id,
            "file_unique_id": unique_id,
            "file_name": name,
            "mime_type": mime or mimetypes.guess_type(name)[0] or "application/octet-stream",
        }
        if size:
            described["file_size"] = size
        message = self.world.bot_message(
            chat, media={"document": described}, caption=caption, reply_markup=markup
        )
        return message.to_api()

    # -- editing ------------------------------------------------------------------------

    def _message_to_edit(self, params: Params) -> Message:
        if "inline_message_id" in params:
            raise bad_request("message to edit not found")
        chat = self.world.chat_for_bot(params.chat_id())
        message_id = params.int("message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        message = chat.messages.get(message_id)
        if message is None:
            raise bad_request("message to edit not found")
        if message.sender is not self.world.bot:
            raise bad_request("message can't be edited")
        return message

    def edit_message_text(self, params: Params) -> dict[str, Any]:
        message = self._message_to_edit(params)
        if message.text is None:
            raise bad_request("there is no text in the message to edit")
        text = _message_text(params)
        markup = _reply_markup(params, inline_only=True)
        if text == message.text and markup == _inline_part(message.reply_markup):
            raise bad_request(_NOT_MODIFIED)
        message.text, message.reply_markup = text, markup
        self.world.bot_edited(message)
        return message.to_api()

    def edit_message_caption(self, params: Params) -> dict[str, Any]:
        message = self._message_to_edit(params)
        if not message.media:
            raise bad_request("there is no caption in the message to edit")
        caption = _caption(params)
        markup = _reply_markup(params, inline_only=True)
        if caption == message.caption and markup == _inline_part(message.reply_markup):
            raise bad_request(_NOT_MODIFIED)
        message.caption, message.reply_markup = caption, markup
        self.world.bot_edited(message)
        return message.to_api()

    def edit_message_reply_markup(self, params: Params) -> dict[str, Any]:
        message = self._message_to_edit(params)
        markup = _reply_markup(params, inline_only=True)
        if markup == _inline_part(message.reply_markup):
            raise bad_request(_NOT_MODIFIED)
        message.reply_markup = markup
        self.world.bot_edited(message)
        return message.to_api()

    def delete_message(self, params: Params) -> bool:
        chat = self.world.chat_for_bot(params.chat_id(), sending=False)
        message_id = params.int("message_id", required=True)
        if chat.messages.pop(message_id, None) is None:
            raise bad_request("message to delete not found")
        return True

    # -- buttons ------------------------------------------------------------------------

    def answer_callback_query(self, params: Params) -> bool:
        query_id = params.str("callback_query_id", required=True)
        query = self.world.callback_queries.get(query_id or "")
        if query is None or query.answered:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = params.str("text") or ""
        if len(text) > NOTICE_LIMIT:
            raise bad_request("MESSAGE_TOO_LONG")
        query.answered = True
        if text:
            self.world.notice(query.presser, text)
        return True


def _message_text(params: Params) -> str:
    """The text as its reader sees it, refused as Telegram refuses it: no text at all is the
    Bot API server's "message text is empty"; a text with nothing left once its markup is
    parsed and its whitespace trimmed is "text must be non-empty"; over 4,096 UTF-16 units
    after parsing is "message is too long"."""
    raw = params.str("text")
    if not raw:
        raise bad_request("message text is empty")
    text = render(raw, params.str("parse_mode"))
    if not text.strip():
        raise bad_request("text must be non-empty")
    if telegram_length(text) > TEXT_LIMIT:
        raise bad_request("message is too long")
    return text


def _caption(params: Params) -> str | None:
    raw = params.str("caption")
    if raw is None:
        return None
    caption = render(raw, params.str("parse_mode"))
    if telegram_length(caption) > CAPTION_LIMIT:
        raise bad_request("message caption is too long")
    return caption or None


def _inline_part(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    return markup if markup and "inline_keyboard" in markup else None


def _reply_markup(params: Params, *, inline_only: bool) -> dict[str, Any] | None:
    markup = params.json("reply_markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        _check_inline_keyboard(markup["inline_keyboard"])
        return markup
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in markup or markup.get("remove_keyboard") or markup.get("force_reply"):
        return markup
    raise bad_request("can't parse reply keyboard markup JSON object")


def _check_inline_keyboard(rows: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not str(button.get("text", "")).strip():
                raise bad_request("text buttons are unallowed in the inline keyboard")
            if not any(action in button for action in _INLINE_ACTIONS):
                raise bad_request("text buttons are unallowed in the inline keyboard")
            if "callback_data" in button:
                data = str(button["callback_data"]).encode("utf-8")
                if not 1 <= len(data) <= CALLBACK_DATA_LIMIT:
                    raise bad_request("BUTTON_DATA_INVALID")
            if "url" in button and not re.match(r"^(https?|tg)://\S+$", str(button["url"])):
                raise bad_request(
                    f"inline keyboard button URL '{button['url']}' is invalid: Wrong HTTP URL"
                )
