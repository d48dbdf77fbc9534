"""How times are written to and read from the database.

Every time is stored as UTC text in one fixed-width format, so that text comparison and
indexes order times correctly.
"""

from datetime import UTC, datetime
from functools import lru_cache

_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def to_db(moment: datetime) -> str:
    if moment.tzinfo is not UTC:
        if moment.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware UTC time")
        moment = moment.astimezone(UTC)
    return _utc_text(moment)


@lru_cache(maxsize=4096)
def _utc_text(moment: datetime) -> str:
    """Kept once written: the tick writes the same few times for thousands of rows. Keyed
    by the UTC moment (local times equal across a fold would share an entry)."""
    # isoformat gives exactly _FORMAT and is several times faster than strftime (hot path).
    return moment.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def from_db(text: str) -> datetime:
    if text.endswith("Z") and len(text) == 27:
        return datetime.fromisoformat(text[:-1]).replace(tzinfo=UTC)
    return datetime.strptime(text, _FORMAT).replace(tzinfo=UTC)
