"""The therapist channel's replies (see channel.mmd): registering a group with `/channel`,
turning it off, the refusals, and how to use it when asked privately. Pure."""

from __future__ import annotations

from html import escape

from dialogues.types import Outcome, Reply

DIALOGUE = "channel"  # the therapist channel's registration (stateless)


def registered(unit_name: str, t, *, replaced: bool = False) -> Reply:
    """In the group: flags come here now, and who may read a flag's text."""
    lines = [t("channel.registered", unit=escape(unit_name))]
    if replaced:
        lines.append(t("channel.replaced"))
    lines.append(t("channel.who_reads"))
    lines.append(t("channel.members_only"))
    return Reply("\n\n".join(lines))


def unregistered(unit_name: str, t) -> Reply:
    return Reply(t("channel.off", unit=escape(unit_name)))


def say(key: str, t, **params: str) -> Outcome:
    """A one-line answer: a refusal, or how to use the command."""
    escaped = {name: escape(value) for name, value in params.items()}
    return Outcome(replies=(Reply(t(key, **escaped)),))


def introduce(t) -> Outcome:
    """The bot was added to a group that is no unit's channel: how to make it one."""
    return Outcome(replies=(Reply(t("channel.introduce")),))


def explain(status_key: str, unit_name: str, t) -> Outcome:
    """`/channel` in a private chat: it is sent in the group, and the unit's channel now."""
    text = t("channel.private_help") + "\n\n" + t(status_key, unit=escape(unit_name))
    return Outcome(replies=(Reply(text),))


def stranger_joined(mention: str, unit_name: str, t) -> Reply:
    """To the unit's admins: someone who is not its staff joined the channel. `mention` is
    a ready HTML link to the person."""
    return Reply(t("channel.stranger_joined", name=mention, unit=escape(unit_name)))
