"""One-time codes for deep links: short, unambiguous, unguessable."""

import secrets

# No 0/O, 1/I/L: a code may be read aloud or typed by hand.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_code(length: int = 12) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))
