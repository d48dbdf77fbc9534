"""Running a generated script through the real runner, keeping what a failure must show."""

from __future__ import annotations

import time
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

from bot.devtools.demo import run_script
from tests.harness.script_env import SCRIPT_BOT_ENV


@dataclass
class Run:
    script: Path
    db_path: Path
    code: int
    transcript: str
    seconds: float

    @property
    def bot_instances(self) -> int:
        """How many times the bot was started: 1 + every crash, restart and downtime."""
        log = self.db_path.with_name(self.db_path.name + ".bot.log")
        return log.read_text(encoding="utf-8", errors="replace").count("--- bot instance ")

    def explain(self, seed: int, why: str) -> str:
        """A failure's message: the seed and how to run the script again."""
        return (
            f"{why}\nseed {seed}; the script: {self.script}\n"
            f"reproduce: TRANSPORT_SPEEDUP=20 python -m bot demo --script {self.script}\n"
            f"{self.transcript[-4000:]}"
        )


def run_generated(text: str, folder: Path, name: str) -> Run:
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / f"{name}.chat"
    script.write_text(text, encoding="utf-8")
    db_path = folder / f"{name}.sqlite3"
    out = StringIO()
    started = time.monotonic()
    code = run_script(script, db_path=db_path, out=out, bot_env=SCRIPT_BOT_ENV)
    return Run(script, db_path, code, out.getvalue(), time.monotonic() - started)
