"""`python -m bot emulator --port N [--host H] [--token T] [--no-limits] [--webhook-worker URL]`:
the Bot API emulator as a server of its own (the arguments are defined in bot/cli/main.py).

For staging and for trying the real `python -m bot run` (polling or `--webhook`) without
Telegram: point TELEGRAM_API_BASE_URL at the URL printed on the first line (it ends in `/bot`;
python-telegram-bot appends the token) and act as the people through the client API
(`client_api.py`, printed on the second line). The clock is the real one; Telegram's sending
limits are enforced (429s) unless `--no-limits`. With `--webhook-worker URL` (repeated), a
webhook is posted to those workers in turn, as by a load balancer behind its URL. Stops on
Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from datetime import UTC, datetime
from typing import TextIO

from bot.devtools.emulator.client_api import PREFIX, ClientApi
from bot.devtools.emulator.server import EmulatorServer
from bot.devtools.emulator.world import World

BOT_ID = 123456789


def run(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    return asyncio.run(_serve(args, out))


async def _serve(args: argparse.Namespace, out: TextIO) -> int:
    world = World(bot_id=BOT_ID, now=lambda: datetime.now(UTC))
    server = EmulatorServer(
        world,
        args.token,
        telegram_limits=not args.no_limits,
        webhook_workers=args.webhook_worker,
    )
    client = ClientApi(server)
    await server.start(host=args.host, port=args.port, extra_routes=client.add_routes)
    base = server.api_base_url
    out.write(f"{base}\n")  # the first line: the value for TELEGRAM_API_BASE_URL
    out.write(f"client API: {base.removesuffix('/bot')}{PREFIX}/ (bot/devtools/README.md)\n")
    out.flush()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await server.stop()
    return 0
