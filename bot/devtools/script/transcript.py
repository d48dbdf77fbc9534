"""The transcript: each script line echoed, each thing the bot does printed as it happens.

alice> /start 7Q2KD9
bot → alice: Välkommen!
   [Jag godkänner] [Jag godkänner inte]
bot ✎ alice: (an edited message, in full)
bot ⚑ alice: (the notice a button press got)
… 2026-12-02 08:00
"""

from __future__ import annotations

from typing import TextIO

from bot.devtools.emulator.world import Entry, describe_chat

MARKS = {"send": "→", "edit": "✎", "notice": "⚑"}
INDENT = "   "


def format_entry(entry: Entry) -> list[str]:
    first, *rest = entry.body.split("\n")
    lines = [f"bot {MARKS[entry.kind]} {entry.chat_key}: {first}"]
    lines += [(INDENT + line).rstrip() for line in rest]
    lines += [INDENT + " ".join(f"[{label}]" for label in row) for row in entry.buttons if row]
    return lines


class Transcript:
    def __init__(self, out: TextIO, *, echo: bool = True):
        self.out = out
        self.echo_lines = echo

    def _print(self, *lines: str) -> None:
        for line in lines:
            self.out.write(line + "\n")
        self.out.flush()

    def echo(self, line: str) -> None:
        if self.echo_lines:
            self._print(line)

    def entry(self, entry: Entry) -> None:
        self._print(*format_entry(entry))

    def clock(self, local_time: str) -> None:
        self._print(f"… {local_time}")

    def note(self, text: str) -> None:
        self._print(text)

    def failure(
        self,
        number: int | None,
        line: str,
        reason: str,
        chat_key: str | None,
        unconsumed: list[Entry],
        bot_log: str | None,
    ) -> None:
        lines = [f"FAILED line {number}: {line}" if number else f"FAILED: {line}", f"  {reason}"]
        if chat_key is not None:
            if unconsumed:
                lines.append(f"  unconsumed messages in {describe_chat(chat_key)}:")
                lines += [
                    f"    {text}".rstrip() for entry in unconsumed for text in format_entry(entry)
                ]
            else:
                lines.append(f"  no unconsumed messages in {describe_chat(chat_key)}")
        if bot_log:
            lines.append(f"  bot log: {bot_log}")
        self._print(*lines)

    def error(self, number: int, line: str, reason: str) -> None:
        self._print(f"ERROR line {number}: {line}", f"  {reason}")
