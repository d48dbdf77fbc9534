"""`/audit <label>` (admins): a patient's audit trail, newest first, a page at a time (see
audit_trail.mmd). Pure.

The dialogue's data: {"patient": id, "label": label, "page": n} (0 = the newest).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from html import escape

from dialogues.types import Button, Outcome, Reply, row

DIALOGUE = "audit_trail"
PAGE_SIZE = 10


@dataclass(frozen=True)
class AuditLine:
    at: datetime  # in the unit's zone
    who: str | None  # the staff member's name; None: the command line
    action: str
    details_json: str


@dataclass(frozen=True)
class AuditPage:
    label: str
    lines: tuple[AuditLine, ...]
    page: int
    pages: int


def _details(details_json: str) -> str:
    details = json.loads(details_json or "{}")
    return ", ".join(f"{key}={value}" for key, value in details.items())


def _action(action: str, t) -> str:
    """In words where the catalogue has them (audit_action.*), else the stored code."""
    key = f"audit_action.{action}"
    return t(key) if t.has(key) else f"<code>{escape(action)}</code>"


def _line(line: AuditLine, t) -> str:
    who = escape(line.who) if line.who else t("audit.cli")
    text = f"• {line.at:%Y-%m-%d %H:%M} · {who} · {_action(line.action, t)}"
    details = _details(line.details_json)
    return text + (f" · {escape(details)}" if details else "")


def page(view: AuditPage, base: dict, t) -> Outcome:
    title = t("audit.title", label=escape(view.label), page=view.page + 1, pages=view.pages)
    body = "\n".join(_line(line, t) for line in view.lines) or t("audit.none")
    keyboard = (
        row(
            Button(t("audit.button.newer"), "newer") if view.page > 0 else None,
            Button(t("audit.button.older"), "older") if view.page + 1 < view.pages else None,
        ),
        row(Button(t("audit.button.done"), "done")),
    )
    return Outcome(
        replies=(Reply(f"{title}\n\n{body}", tuple(r for r in keyboard if r)),),
        dialogue=DIALOGUE,
        data={**base, "page": view.page},
    )


def page_asked(data: dict, action: str) -> int | None:
    """The page a press asks for; None: close."""
    current = int(data.get("page", 0))
    if action == "older":
        return current + 1
    if action == "newer":
        return max(0, current - 1)
    if action == "done":
        return None
    return current


def closed(t) -> Outcome:
    return Outcome(replies=(Reply(t("audit.closed")),), dialogue=DIALOGUE, data={})


def export_ready(file_name: str, csv_text: str, rows: int, t) -> Outcome:
    """The unit's trail as a CSV file."""
    caption = t("audit.export_caption", rows=rows)
    return Outcome(replies=(Reply(caption, document=(file_name, csv_text)),))
