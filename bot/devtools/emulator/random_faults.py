"""Faults at a rate: a seeded share of send calls gets 429, 500 or no answer (a time-out).

Set by a script's comment line (a comment to the script format, so the script stays valid
everywhere; `demo.py` reads it):

    # emulator-faults: rate=0.2 seed=7
    # emulator-faults: rate=0.2 seed=7 kinds=429,500

Whether a call fails is decided from the seed and the request itself (method and parameters)
and how many times that same request was seen before, not from the order in which requests
arrive: one chat's requests meet the same faults however the bot's sender interleaves chats.
A failed call is not carried out, as with `@fault`; the queued `@fault` lines come first.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

KINDS = ("429", "500", "timeout")
COMMENT = re.compile(r"^#\s*emulator-faults:\s*(.*)$")


@dataclass
class RandomFaults:
    rate: float
    seed: int
    kinds: tuple[str, ...] = KINDS
    seen: Counter[str] = field(default_factory=Counter)
    injected: Counter[str] = field(default_factory=Counter)  # kind -> how many
    calls: int = 0  # send calls judged

    def pick(self, method: str, params: dict[str, Any]) -> str | None:
        """The fault for this send call, or None to carry it out."""
        request = json.dumps([method, params], sort_keys=True, default=repr, ensure_ascii=False)
        repeat = self.seen[request]
        self.seen[request] += 1
        self.calls += 1
        digest = hashlib.sha256(f"{self.seed}|{repeat}|{request}".encode()).digest()
        draw = int.from_bytes(digest[:8], "big") / 2**64
        if draw >= self.rate:
            return None
        kind = self.kinds[digest[8] % len(self.kinds)]
        self.injected[kind] += 1
        return kind


class BadFaultsLine(ValueError):
    pass


def from_script(source: str) -> RandomFaults | None:
    """The `# emulator-faults:` line of a script, if any (the last one wins)."""
    found = None
    for line in source.splitlines():
        match = COMMENT.match(line.strip())
        if match:
            found = _parse(match[1])
    return found


def _parse(text: str) -> RandomFaults:
    values = dict(part.split("=", 1) for part in text.split() if "=" in part)
    try:
        rate = float(values["rate"])
        seed = int(values.get("seed", "0"))
    except (KeyError, ValueError):
        raise BadFaultsLine(f"# emulator-faults: needs rate=<0..1> [seed=<int>]: {text}") from None
    kinds = tuple(values.get("kinds", ",".join(KINDS)).split(","))
    if not 0 <= rate <= 1 or not kinds or any(kind not in KINDS for kind in kinds):
        raise BadFaultsLine(f"# emulator-faults: rate 0..1, kinds of {', '.join(KINDS)}: {text}")
    return RandomFaults(rate=rate, seed=seed, kinds=kinds)
