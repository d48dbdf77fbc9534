"""The crisis contacts, reachable at any time with /crisis and shown with every risk answer."""

from dialogues.types import Outcome, Reply


def crisis_text(t) -> str:
    return t("crisis.text")


def show(t) -> Outcome:
    return Outcome(replies=(Reply(crisis_text(t)),))
