"""Who is using the database file: a lock file beside it (`<database>.lock`).

A running bot holds a SHARED lock on it for as long as it runs (bot/app.py); `python -m bot
restore` takes an EXCLUSIVE one without waiting, so it refuses while any bot has the
database open, and a bot started during a restore waits for it. The operating system drops
the lock with the process, however it ends (a crash or SIGKILL too): there is no stale pid
file to clean up. The lock file itself holds nothing.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

from storage.database import FILE_MODE

SUFFIX = ".lock"


class DatabaseInUse(Exception):
    """Another process holds the lock (a running bot, or a restore)."""


def lock_file(database_path: str | Path) -> Path:
    return Path(f"{database_path}{SUFFIX}")


def _open(database_path: str | Path) -> int:
    return os.open(lock_file(database_path), os.O_RDWR | os.O_CREAT, FILE_MODE)


def hold_shared(database_path: str | Path, wait_seconds: float = 60.0) -> int:
    """The running bot's lock; returns the descriptor to keep open while running. Waits
    while a restore holds the file, at most `wait_seconds`."""
    fd = _open(database_path)
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                raise DatabaseInUse(str(database_path)) from None
            time.sleep(0.2)


def hold_exclusive(database_path: str | Path) -> int:
    """A restore's lock, at once or never: DatabaseInUse while a bot runs."""
    fd = _open(database_path)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise DatabaseInUse(str(database_path)) from None
    return fd


def release(fd: int) -> None:
    os.close(fd)  # closing the descriptor drops the lock
