"""What the handlers share for the life of one bot process."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.clock import Clock
from bot.supervisor import Supervisor
from bot.telegram.sender import Sender
from bot.turn.context import World
from storage.database import Database


@dataclass
class Runtime:
    database: Database
    clock: Clock
    world: World
    sender: Sender
    supervisor: Supervisor | None = None
    # Updates a turn has closed in its own transaction: the poller need not close them again.
    closed_updates: set[int] = field(default_factory=set)
    # Updates whose route failed and whose apology could not be stored either (the database):
    # the poller leaves them in the inbox, to be handled again.
    unfinished_updates: set[int] = field(default_factory=set)
