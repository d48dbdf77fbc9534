"""Turning a dialogue's replies into Bot API calls for the outbox.

A reply whose text is longer than Telegram allows (bot/render/message_parts.py) becomes one call
with follow-ups (`OutgoingCall.follow_ups`, queued right after it by storage.outbox), each
part within the limit; the buttons go with the last part, under the end of the text. An edit
that is too long edits the pressed message into the first part (its old buttons go) and
sends the rest as new messages: nothing is cut off. A photo's or document's caption over
1,024 keeps its beginning as the caption and the rest follows as messages.
"""

from __future__ import annotations

import json
from dataclasses import replace

from bot.render.message_parts import CAPTION_LIMIT, PART_LIMIT, fits, split_html
from dialogues.numbers import MAX_ID, parse_int
from dialogues.types import Button, Reply
from storage.outbox import LANE_REPLY, LANE_SAFETY, OutgoingCall

STATELESS_MARK = "-"
MAX_CALLBACK_BYTES = 64


def callback_data(button: Button, revision: int) -> str:
    """`<revision>|<action>` for a dialogue's button, `-|<action>` for a stateless one."""
    mark = STATELESS_MARK if button.stateless else str(revision)
    data = f"{mark}|{button.action}"
    if len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {button.action!r}")
    return data


def parse_callback_data(data: str | None) -> tuple[int | None, str] | None:
    """(revision or None for stateless, action); None when the data is not ours."""
    if not data or "|" not in data:
        return None
    mark, action = data.split("|", 1)
    if not action:
        return None
    if mark == STATELESS_MARK:
        return None, action
    revision = parse_int(mark, 0, MAX_ID)
    return None if revision is None else (revision, action)


def _keyboard(reply: Reply, revision: int) -> str | None:
    if not reply.buttons:
        return None
    rows = [
        [
            {"text": button.label, "url": button.url}
            if button.url
            else {"text": button.label, "callback_data": callback_data(button, revision)}
            for button in buttons
        ]
        for buttons in reply.buttons
    ]
    return json.dumps({"inline_keyboard": rows}, ensure_ascii=False)


def reply_call(
    reply: Reply,
    chat_id: int,
    revision: int,
    *,
    pressed_message_id: int | None = None,
    lane: int = LANE_REPLY,
    forget_recipient: bool = False,
    dedupe_key: str | None = None,
) -> OutgoingCall:
    """The Bot API call for a reply, with follow-ups when its text is too long for one. A
    safety message always goes in the safety lane."""
    call = _whole_call(
        reply,
        chat_id,
        revision,
        pressed_message_id=pressed_message_id,
        lane=LANE_SAFETY if reply.safety else lane,
        forget_recipient=forget_recipient,
        dedupe_key=dedupe_key,
    )
    return fitted(call)


def fitted(call: OutgoingCall) -> OutgoingCall:
    """A call whose text or caption fits Telegram's lengths, the rest as follow-ups."""
    params = call.params
    if "text" in params and not fits(params["text"], PART_LIMIT):
        parts = split_html(params["text"], PART_LIMIT)
        if len(parts) == 1:
            return call
        markup = params.get("reply_markup")
        first = {name: value for name, value in params.items() if name != "reply_markup"}
        first["text"] = parts[0]
        return replace(call, params=first, follow_ups=_messages(parts[1:], markup))
    if "caption" in params and not fits(params["caption"], CAPTION_LIMIT):
        parts = split_html(params["caption"], PART_LIMIT, first_limit=CAPTION_LIMIT)
        first = {**params, "caption": parts[0]}
        return replace(call, params=first, follow_ups=_messages(parts[1:], None))
    return call


def _messages(texts: list[str], markup: str | None) -> tuple[tuple[str, dict], ...]:
    """sendMessage calls for the rest of a text; the buttons under the last."""
    calls = []
    for number, text in enumerate(texts, start=1):
        params = _text_params(text)
        if markup and number == len(texts):
            params["reply_markup"] = markup
        calls.append(("sendMessage", params))
    return tuple(calls)


def _text_params(text: str) -> dict:
    """A text message's parameters: HTML, no link previews."""
    return {
        "text": text,
        "parse_mode": "HTML",
        "link_preview_options": json.dumps({"is_disabled": True}),
    }


def _whole_call(
    reply: Reply,
    chat_id: int,
    revision: int,
    *,
    pressed_message_id: int | None = None,
    lane: int = LANE_REPLY,
    forget_recipient: bool = False,
    dedupe_key: str | None = None,
) -> OutgoingCall:
    if reply.chart is not None:
        # Drawn by the sender when it sends the row, off the event loop (bot/render/charts.py).
        params = {"chart": reply.chart, "caption": reply.text, "parse_mode": "HTML"}
        return OutgoingCall(
            chat_id=chat_id,
            method="sendPhoto",
            params=params,
            lane=lane,
            forget_recipient=forget_recipient,
            dedupe_key=dedupe_key,
        )
    if reply.document is not None:
        name, content = reply.document
        params = {
            "document_name": name,
            "document_text": content,
            "caption": reply.text,
            "parse_mode": "HTML",
        }
        return OutgoingCall(
            chat_id=chat_id,
            method="sendDocument",
            params=params,
            lane=lane,
            forget_recipient=forget_recipient,
            dedupe_key=dedupe_key,
        )
    params = _text_params(reply.text)
    keyboard = _keyboard(reply, revision)
    if reply.edit_pressed and pressed_message_id is not None:
        method = "editMessageText"
        params["message_id"] = pressed_message_id
        # An edit without reply_markup removes the old buttons, which is what we want.
    else:
        method = "sendMessage"
    if keyboard:
        params["reply_markup"] = keyboard
    return OutgoingCall(
        chat_id=chat_id,
        method=method,
        params=params,
        lane=lane,
        forget_recipient=forget_recipient,
        dedupe_key=dedupe_key,
    )


def has_dialogue_buttons(replies: tuple[Reply, ...]) -> bool:
    return any(
        not button.stateless and not button.url
        for reply in replies
        for buttons in reply.buttons
        for button in buttons
    )
