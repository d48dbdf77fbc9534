"""How times are written to and read from the database.

Every time is stored as UTC text in one fixed-width format, so that text comparison and
indexes order times correctly.
"""

from datetime import UTC, datetime

_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def to_db(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are not stored; pass an aware UTC time")
    # isoformat gives exactly _FORMAT and is several times faster than strftime (hot path).
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def from_db(text: str) -> datetime:
    if text.endswith("Z") and len(text) == 27:
        return datetime.fromisoformat(text[:-1]).replace(tzinfo=UTC)
    return datetime.strptime(text, _FORMAT).replace(tzinfo=UTC)
