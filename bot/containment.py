"""Containing a failure to the one item that caused it.

A periodic batch works through many rows in one transaction. One row that makes the code
fail (a bug, data nobody foresaw) must not take the batch, and so every other patient's
reminders or alerts, down with it: each item runs inside a savepoint; a failure rolls back
that item alone, logs an ERROR line with its id and the error's type (never its message,
which may hold a person's text), and sets the item aside so the next tick does not trip on
it again.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterable
from typing import TypeVar

from bot.ops import metrics
from storage.database import savepoint

log = logging.getLogger(__name__)

T = TypeVar("T")


def each_contained(
    conn: sqlite3.Connection,
    items: Iterable[T],
    work: Callable[[T], None],
    *,
    set_aside: Callable[[T], None],
    what: str,
    id_of: Callable[[T], object] = lambda item: getattr(item, "id", "?"),
) -> None:
    for item in items:
        try:
            with savepoint(conn):
                work(item)
        except Exception as error:
            log.error("%s %s set aside: %s", what, id_of(item), type(error).__name__)
            metrics.set_aside(what)
            _set_aside(conn, item, set_aside, what, id_of)


def _set_aside(conn, item, set_aside, what: str, id_of) -> None:
    """Setting an item aside is one small write; if even that fails, the item comes again at
    the next tick (an ERROR line each time) and the rest of the batch still goes."""
    try:
        with savepoint(conn):
            set_aside(item)
    except Exception as error:
        log.error("%s %s could not be set aside: %s", what, id_of(item), type(error).__name__)
