"""The walk the crash suite plays: three patients through the dialogues, as beats.

A beat is one thing a person does (or one move of the fake clock) and the lines that check
what came of it. The generator (`generate.py`) puts crashes between beats and between a beat's
action and its checks; the walk itself holds with no crash at all. Every reply is checked
once (`expect`) and then checked not to have come twice (`expect-no`), and a beat that
should leave a chat quiet ends with `expect-silence`.

What the patients write is listed in `WRITTEN` (and the other answers in `checks.py`), so the
database can be checked afterwards: every answer stored exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Beat:
    action: str
    checks: tuple[str, ...] = ()
    # A beat whose action makes the bot send something: a `@crash on-send` before it fires
    # inside it. Set False where nothing is sent (the crash would fire later).
    sends: bool = True


def once(chat: str, text: str) -> tuple[str, str]:
    """The message came, and only once."""
    return (f"expect {chat}: {text}", f"expect-no {chat}: {text}")


def quiet(*chats: str) -> tuple[str, ...]:
    return tuple(f"expect-silence {chat}" for chat in chats)


# The texts the patients write; each must be stored exactly once.
STEP_6 = "Jag bytte jobb i våras och flyttade ifrån mina vänner."
STEP_7 = "Jag tittar på serier och tackar nej till middagar."
STEP_8 = "Träffa en vän varje vecka. Promenera tre dagar i veckan."
REFLECTION = "Det gick bra de flesta dagar. Kvällarna är tyngst."
MORNING = "Åt frukost och läste tidningen"
FORENOON = "Jobbade hemifrån"
ACTIVITY = "Promenad i skogen"
ACTIVITY_COMMENT = "Det var skönt att komma ut"
MESSAGE = "Hur ofta ska jag fylla i veckodagboken?"
REPLY = "Varje kväll de första tre veckorna."

WRITTEN = (STEP_6, STEP_7, STEP_8, REFLECTION)

# PHQ-9: the nine answers, in order (scores 1 0 2 3 1 1 0 0 0 = 8; no risk answer: no flag).
PHQ9 = (
    "Flera dagar",
    "Inte alls",
    "Mer än hälften av dagarna",
    "Nästan varje dag",
    "Flera dagar",
    "Flera dagar",
    "Inte alls",
    "Inte alls",
    "Inte alls",
)
PHQ9_TOTAL = 8

HEADER = ("@staff anna therapist unit=Växjö",)


def enrol(patient: str, label: str, code: str) -> list[Beat]:
    """Invite, consent and the therapist's confirmation."""
    return [
        Beat(
            f"anna> /invite depression {label}",
            (f"@capture {code} anna /start=(\\S+)/", "@flush anna"),
        ),
        Beat(
            f"{patient}> /start ${{{code}}}",
            (*once(patient, "Välkommen till Steg för steg"), *quiet(patient)),
        ),
        Beat(
            f"{patient}> [Jag godkänner]",
            (
                *once(patient, "Tack, ditt samtycke är registrerat"),
                *once(patient, "Steg 1 av 9"),
                *quiet(patient),
                *once("anna", "Är detta din patient?"),
                *quiet("anna"),
            ),
        ),
        Beat(
            "anna> [Ja, det är min patient]",
            (*once("anna", f"{label} är bekräftad som din patient"), *quiet("anna")),
        ),
    ]


def withdrawal(patient: str, label: str) -> list[Beat]:
    return [
        Beat(
            f"{patient}> /withdraw",
            (*once(patient, "Vill du avsluta din behandling här?"), *quiet(patient)),
        ),
        Beat(
            f"{patient}> [Ja, avsluta]",
            (
                *once(patient, "Din behandling är avslutad"),
                *quiet(patient),
                *once("anna", f"{label} har tagit tillbaka sitt samtycke"),
                *quiet("anna"),
            ),
        ),
    ]


def ending(patient: str, label: str) -> list[Beat]:
    return [
        Beat(
            f"anna> /end {label}",
            (*once("anna", "Varför avslutas behandlingen?"), *quiet("anna")),
        ),
        Beat(
            "anna> [Genomförd]",
            (*once("anna", "Det går inte att ångra"), *quiet("anna")),
        ),
        Beat(
            "anna> [Avsluta behandlingen]",
            (
                *once("anna", f"Behandlingen för {label} är avslutad"),
                *quiet("anna"),
                *once(patient, "Din behandling är nu avslutad"),
                *quiet(patient),
            ),
        ),
    ]


def module_one(p: str) -> list[Beat]:
    def step(n: int, *more: str) -> Beat:
        return Beat(f"{p}> [Nästa]", (*once(p, f"Steg {n} av 9"), *more, *quiet(p)))

    def written(text: str) -> Beat:
        return Beat(f"{p}> {text}", (*once(p, "Ditt svar är sparat"), *quiet(p)))

    return [
        step(2),
        step(3),
        Beat(
            f"{p}> [På kvällen]",
            (*once(p, "Sparat: På kvällen"), *once(p, "[✓ På kvällen]"), *quiet(p)),
        ),
        step(4),
        step(5),
        step(6),
        written(STEP_6),
        step(7),
        written(STEP_7),
        step(8),
        written(STEP_8),
        step(9),
        Beat(
            f"{p}> [Nästa]",
            (
                *once(p, "Du har gått igenom modul 1"),
                *once(p, "Reflektion"),
                *quiet(p),
                *once("anna", "P1 har avslutat modul 1"),
                "@flush anna",
            ),
        ),
        Beat(
            f"{p}> {REFLECTION}",
            (*once(p, "Ditt svar är sparat"), *quiet(p), "@flush anna"),
        ),
    ]


def diary(p: str) -> list[Beat]:
    return [
        Beat(f"{p}> /diary", (*once(p, "Veckodagbok – i dag"), *quiet(p))),
        Beat(f"{p}> [Morgon]", (*once(p, "Morgon, tisdag 1 december"), *quiet(p))),
        Beat(f"{p}> {MORNING}", (*once(p, "hur mådde du"), *quiet(p))),
        Beat(f"{p}> [6]", (*once(p, "Morgon sparad"), *quiet(p))),
        Beat(f"{p}> {FORENOON}", (*once(p, "hur mådde du"), *quiet(p))),
        Beat(f"{p}> 4", (*once(p, "Förmiddag sparad"), *quiet(p))),
    ]


def activities(p: str) -> list[Beat]:
    return [
        Beat(f"{p}> /activities", (*once(p, "Dina aktiviteter"), *quiet(p))),
        Beat(f"{p}> [+ Vill]", (*once(p, "Skriv en vill-aktivitet"), *quiet(p))),
        Beat(f"{p}> {ACTIVITY}", (*once(p, "Tillagd"), *quiet(p))),
        Beat(f"{p}> [Planera en aktivitet]", (*once(p, "Välj ur dina listor"), *quiet(p))),
        Beat(f"{p}> [{ACTIVITY}]", (*once(p, "Vilken dag"), *quiet(p))),
        Beat(f"{p}> [I dag]", (*once(p, "Vilken tid i dag"), *quiet(p))),
        Beat(f"{p}> 17:30", (*once(p, "Din plan"), *quiet(p))),
        Beat(f"{p}> [Spara planen]", (*once(p, f"Planerat: {ACTIVITY}"), *quiet(p))),
    ]


def questionnaire(p: str) -> list[Beat]:
    beats = [
        Beat("@at 2026-12-01 10:00", (*once(p, "Du har ett formulär att fylla i"), *quiet(p))),
        Beat(f"{p}> [Svara nu]", (*once(p, "1/9"), *quiet(p))),
    ]
    for number, answer in enumerate(PHQ9, start=1):
        shown = f"{number + 1}/9" if number < 9 else "Dina svar"
        beats.append(Beat(f"{p}> [{answer}]", (*once(p, shown), *quiet(p))))
    beats.append(Beat(f"{p}> [Skicka]", (*once(p, "Dina svar på PHQ-9 är skickade"), *quiet(p))))
    return beats


def messages(p: str) -> list[Beat]:
    return [
        Beat(
            f"{p}> /message {MESSAGE}",
            (
                *once(p, "Ditt meddelande är skickat till din behandlare"),
                *quiet(p),
                *once("anna", "Meddelande från P1"),
                *quiet("anna"),
            ),
        ),
        Beat("anna> [Svara]", (*once("anna", "Skriv ditt svar till P1"), *quiet("anna"))),
        Beat(
            f"anna> {REPLY}",
            (
                *once("anna", "Meddelandet är skickat till P1"),
                *quiet("anna"),
                *once(p, "Nytt meddelande från din behandlare"),
                *quiet(p),
            ),
        ),
    ]


def evening(p: str) -> list[Beat]:
    return [
        Beat("@at 2026-12-01 17:30", (*once(p, "Dags för det du har planerat"), *quiet(p))),
        Beat("@at 2026-12-01 19:00", (*once(p, "Dags för veckodagboken"), *quiet(p))),
        Beat("@at 2026-12-01 19:30", (*once(p, f"Blev det av? {ACTIVITY}"), *quiet(p))),
        Beat(f"{p}> [Ja]", (*once(p, "Hur mådde du"), *quiet(p))),
        Beat(f"{p}> [7]", (*once(p, "Det finns nu i din veckodagbok"), *quiet(p))),
        Beat(f"{p}> {ACTIVITY_COMMENT}", (*once(p, "kommentaren är sparad"), *quiet(p))),
    ]


def walk() -> list[Beat]:
    """Alice (P1) goes through module 1, the diary, activities, PHQ-9, a message and the
    evening's reminders; Bob (P2) withdraws; Carol (P3) has her treatment ended."""
    return [
        *enrol("alice", "P1", "CODE1"),
        *enrol("bob", "P2", "CODE2"),
        *enrol("carol", "P3", "CODE3"),
        *withdrawal("bob", "P2"),
        *ending("carol", "P3"),
        *module_one("alice"),
        *diary("alice"),
        *activities("alice"),
        *messages("alice"),
        *questionnaire("alice"),
        *evening("alice"),
    ]
