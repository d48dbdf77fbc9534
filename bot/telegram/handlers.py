"""Telegram handlers: thin. Each turns an update into a `TurnInput`, runs its route in one
database transaction, answers a button press, and wakes the sender."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot import router
from bot.ops import metrics
from bot.telegram.runtime import Runtime
from bot.turn.after_failure import raise_what_the_update_carried
from bot.turn.context import Route, TurnInput
from bot.turn.run import run_apology, run_turn
from dialogues.types import Incoming

log = logging.getLogger(__name__)

PRIVATE = filters.ChatType.PRIVATE
GROUPS = filters.ChatType.GROUPS
Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]


def _incoming(update: Update) -> Incoming:
    if update.my_chat_member is not None:
        return Incoming(kind="membership", text=update.my_chat_member.new_chat_member.status)
    if update.callback_query is not None:
        return Incoming(kind="button")
    if update.edited_message is not None:
        return Incoming(kind="edited", text=update.edited_message.text or "")
    message = update.message
    if message.new_chat_members:  # people joined a group (bots cannot read other bots)
        joined = tuple((u.id, u.first_name) for u in message.new_chat_members if not u.is_bot)
        return Incoming(kind="membership", joined=joined)
    text = message.text or ""
    if text.startswith("/"):
        command, *args = text.split()
        name = command[1:].split("@", 1)[0].lower()
        return Incoming(kind="command", command=name, args=tuple(args), text=text)
    if message.text is not None:
        return Incoming(kind="text", text=text)
    return Incoming(kind="media", text=message.caption or "")  # a caption is read for risk


def _turn_input(update: Update) -> TurnInput:
    query = update.callback_query
    user = update.effective_user
    return TurnInput(
        update_id=update.update_id,
        user_id=user.id,
        chat_id=update.effective_chat.id if update.effective_chat else user.id,
        language_code=user.language_code,
        incoming=_incoming(update),
        callback_data=query.data if query else None,
        pressed_message_id=query.message.message_id if query and query.message else None,
        display_name=user.full_name,
    )


def _make_handler(route: Route) -> Handler:
    async def handle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        runtime: Runtime = context.application.bot_data["runtime"]
        turn_input = _turn_input(update)
        now = runtime.clock.now()
        try:
            result = await runtime.database.transaction(
                lambda conn: run_turn(conn, runtime.world, route, turn_input, now)
            )
        except Exception as error:
            metrics.turn_failed()
            log.error(
                "update %d: route %s failed: %s",
                update.update_id,
                route.__name__,
                type(error).__name__,
                extra={"update_id": update.update_id},
            )
            try:
                await _after_failure(runtime, turn_input, now)
            except Exception:
                runtime.unfinished_updates.add(update.update_id)  # the poller tries it again
                raise
            if update.callback_query is not None:
                await update.callback_query.answer()
            raise  # PTB's error handler: on_error, with ids only
        metrics.update_handled()
        log.info(
            "update %d handled by %s",
            update.update_id,
            route.__name__,
            extra={"update_id": update.update_id},
        )
        runtime.closed_updates.add(update.update_id)
        runtime.sender.wake()
        if update.callback_query is not None:
            await update.callback_query.answer(text=result.toast)

    handle.__name__ = f"handle_{route.__name__}"
    return handle


async def _after_failure(runtime: Runtime, turn_input: TurnInput, now) -> None:
    """The route failed and its transaction is gone: first the risk signal the update
    carried (its own transaction), then the apology with the crisis contacts."""
    try:
        await runtime.database.transaction(
            lambda conn: raise_what_the_update_carried(conn, runtime.world, turn_input, now)
        )
    except Exception as error:
        log.error(
            "update %d: screening after the failure failed too: %s",
            turn_input.update_id,
            type(error).__name__,
        )
    await runtime.database.transaction(
        lambda conn: run_apology(conn, runtime.world, turn_input, now)
    )
    runtime.sender.wake()


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    update_id = update.update_id if isinstance(update, Update) else None
    log.error(
        "update %s failed: %s", update_id, type(context.error).__name__, exc_info=context.error
    )


def broken(route: Route) -> Route:
    """A route that does its work and then fails, so all of it is rolled back: how a demo or
    a test shows that a failing route still raises its flag (BREAK_ROUTES)."""

    def fail_after(turn):
        route(turn)
        raise RuntimeError("route broken on purpose (BREAK_ROUTES)")

    fail_after.__name__ = route.__name__
    return fail_after


def register(application: Application, broken_routes: frozenset[str] = frozenset()) -> None:
    """All handlers, in the order they are tried. Everything is private-chat only, except
    the therapist channel's: `/channel` and people joining, in groups. `broken_routes`: see
    `broken`."""

    def make_handler(route: Route) -> Handler:
        route = broken(route) if route.__name__ in broken_routes else route
        return _make_handler(router.routed(route))

    in_group = GROUPS & filters.UpdateType.MESSAGE
    application.add_handler(
        CommandHandler(
            "channel",
            make_handler(router.channel_from_anonymous),
            filters=in_group & filters.SenderChat.ALL,  # an anonymous admin, or a chat
        )
    )
    application.add_handler(
        CommandHandler("channel", make_handler(router.channel_in_group), filters=in_group)
    )
    application.add_handler(
        MessageHandler(
            in_group & filters.StatusUpdate.NEW_CHAT_MEMBERS,
            make_handler(router.members_joined),
        )
    )
    application.add_handler(
        MessageHandler(filters.UpdateType.EDITED_MESSAGE & PRIVATE, make_handler(router.edited))
    )
    for command in router.COMMANDS:
        route = router.command_route(command)
        application.add_handler(
            CommandHandler(
                command.name, make_handler(route), filters=PRIVATE & filters.UpdateType.MESSAGE
            )
        )
    application.add_handler(CallbackQueryHandler(make_handler(router.button)))
    application.add_handler(
        ChatMemberHandler(make_handler(router.membership_changed), ChatMemberHandler.MY_CHAT_MEMBER)
    )
    application.add_handler(
        MessageHandler(PRIVATE & filters.COMMAND, make_handler(router.unknown_command))
    )
    application.add_handler(MessageHandler(PRIVATE & filters.TEXT, make_handler(router.text)))
    application.add_handler(
        MessageHandler(PRIVATE & filters.UpdateType.MESSAGE, make_handler(router.media))
    )
    application.add_error_handler(on_error)
