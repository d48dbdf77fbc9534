"""The python-telegram-bot application: built from the settings (no PTB updater: our
InboxPoller stores updates first) and given the patients' default command menu."""

from __future__ import annotations

import logging

from telegram.error import TelegramError
from telegram.ext import Application
from telegram.request import HTTPXRequest

from bot.render.menus import default_menus
from bot.settings import Settings

log = logging.getLogger(__name__)


def build_application(settings: Settings) -> Application:
    timeout = settings.telegram_request_timeout_seconds
    builder = (
        Application.builder()
        .token(settings.require_token())
        .updater(None)  # our InboxPoller replaces PTB's updater: updates are stored first
        .request(HTTPXRequest(connect_timeout=timeout, read_timeout=timeout, write_timeout=timeout))
        .get_updates_request(HTTPXRequest(read_timeout=60, connect_timeout=timeout))
    )
    if settings.telegram_api_base_url:
        builder = builder.base_url(settings.telegram_api_base_url)
    return builder.build()


async def set_default_menus(application: Application, names: tuple[str, ...]) -> None:
    """The patients' command menu; a failure here must not stop the bot."""
    try:
        for menu in default_menus(names):
            await application.bot.do_api_request("setMyCommands", api_kwargs=menu)
    except TelegramError as error:
        log.warning("could not set the command menus: %s", type(error).__name__)
