"""`/staff` for admins: the unit's staff, and changes to them (see staff_admin.mmd). Pure.

The page lists every staff member of the unit: name, role(s), active or not, bound to a
Telegram account or not. A member's page has Inaktivera / Aktivera and a button per other
role (a role change sets exactly that role). An admin's own page offers no changes: nobody
deactivates or demotes themselves. "Ny personal" asks the name (typed) and the role
(buttons); the route then creates them and shows their one-time bind link.

The dialogue's data: {} on the page; {"member": id} on a member's page; while adding
{"step": "name" | "role", "awaiting": "text", "name": ...}.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from dialogues.numbers import parse_id
from dialogues.types import Button, Outcome, Reply, row

DIALOGUE = "staff_admin"
ROLES = ("therapist", "patient-admin", "admin")
MAX_NAME_CHARS = 64


@dataclass(frozen=True)
class MemberLine:
    id: int
    name: str
    roles: tuple[str, ...]
    active: bool
    bound: bool
    patients: int  # patients who have them as therapist


@dataclass(frozen=True)
class StaffView:
    unit: str
    me: int  # the admin looking
    members: tuple[MemberLine, ...]

    def member(self, member_id: int) -> MemberLine | None:
        return next((m for m in self.members if m.id == member_id), None)


@dataclass(frozen=True)
class Change:
    """What to store: "deactivate" / "reactivate" (a member id), "role" ((id, role)), or
    "create" ((name, role))."""

    kind: str
    value: object


def _roles(line: MemberLine, t) -> str:
    return ", ".join(t(f"role.{role}") for role in line.roles) or "–"


def _line(line: MemberLine, t) -> str:
    state = t("staff_admin.active" if line.active else "staff_admin.inactive")
    bound = t("staff_admin.bound" if line.bound else "staff_admin.unbound")
    return f"<b>{escape(line.name)}</b> · {_roles(line, t)} · {state} · {bound}"


def page(view: StaffView, t, notice: str = "") -> Outcome:
    lines = [notice] if notice else []
    lines.append(t("staff_admin.title", unit=escape(view.unit)))
    lines.append("\n".join("• " + _line(line, t) for line in view.members))
    keyboard = [
        (Button(("" if line.active else "⏸ ") + line.name[:40], f"m:{line.id}"),)
        for line in view.members
    ]
    keyboard.append(
        row(
            Button(t("staff_admin.button.new"), "new"), Button(t("staff_admin.button.done"), "done")
        )
    )
    return Outcome(
        replies=(Reply("\n\n".join(lines), tuple(keyboard)),), dialogue=DIALOGUE, data={}
    )


def member_page(view: StaffView, line: MemberLine, t, notice: str = "") -> Outcome:
    lines = [notice] if notice else []
    lines.append(_line(line, t))
    if line.patients:
        lines.append(t("staff_admin.has_patients", n=line.patients))
    keyboard = []
    if line.id == view.me:
        lines.append(t("staff_admin.yourself"))
    else:
        if line.active:
            keyboard.append(row(Button(t("staff_admin.button.deactivate"), f"off:{line.id}")))
        else:
            keyboard.append(row(Button(t("staff_admin.button.reactivate"), f"on:{line.id}")))
        for role in ROLES:
            if line.roles != (role,):
                label = t("staff_admin.button.role", role=t(f"role.{role}"))
                keyboard.append(row(Button(label, f"role:{line.id}:{role}")))
    keyboard.append(row(Button(t("staff_admin.button.back"), "back")))
    return Outcome(
        replies=(Reply("\n\n".join(lines), tuple(keyboard)),),
        dialogue=DIALOGUE,
        data={"member": line.id},
    )


def _ask_name(t, notice: str = "") -> Outcome:
    text = (notice + "\n\n" if notice else "") + t("staff_admin.ask_name")
    keyboard = (row(Button(t("staff_admin.button.cancel"), "back")),)
    return Outcome(
        replies=(Reply(text, keyboard),),
        dialogue=DIALOGUE,
        data={"step": "name", "awaiting": "text"},
    )


def _ask_role(name: str, t) -> Outcome:
    keyboard = tuple(row(Button(t(f"role.{role}"), f"nrole:{role}")) for role in ROLES) + (
        row(Button(t("staff_admin.button.cancel"), "back")),
    )
    # Typed text still comes here (awaiting), so a stray message re-asks instead of losing it.
    return Outcome(
        replies=(Reply(t("staff_admin.ask_role", name=escape(name)), keyboard),),
        dialogue=DIALOGUE,
        data={"step": "role", "awaiting": "text", "name": name},
    )


def on_button(view: StaffView, data: dict, action: str, t) -> tuple[Outcome, Change | None]:
    name, _, arg = action.partition(":")
    if name == "done":
        return Outcome(replies=(Reply(t("staff_admin.closed")),), dialogue=DIALOGUE, data={}), None
    if name == "back":
        return page(view, t), None
    if name == "new":
        return _ask_name(t), None
    if name == "nrole" and data.get("step") == "role" and arg in ROLES and data.get("name"):
        return Outcome(), Change("create", (data["name"], arg))
    member_id, _, role = arg.partition(":")
    line = view.member(parse_id(member_id) or 0)
    if line is None:
        return page(view, t, t("staff_admin.use_buttons")), None
    if name == "m":
        return member_page(view, line, t), None
    if line.id == view.me:  # never oneself, even with a forged or old button
        return member_page(view, line, t), None
    if name == "off" and line.active:
        return Outcome(), Change("deactivate", line.id)
    if name == "on" and not line.active:
        return Outcome(), Change("reactivate", line.id)
    if name == "role" and role in ROLES:
        return Outcome(), Change("role", (line.id, role))
    return member_page(view, line, t), None


def on_text(view: StaffView, data: dict, text: str, t) -> Outcome:
    typed = " ".join(text.split())
    if data.get("step") == "name":
        if not typed or len(typed) > MAX_NAME_CHARS:
            return _ask_name(t, t("staff_admin.name_unclear"))
        return _ask_role(typed, t)
    if data.get("step") == "role":
        return _ask_role(data.get("name", ""), t)
    return page(view, t, t("staff_admin.use_buttons"))
