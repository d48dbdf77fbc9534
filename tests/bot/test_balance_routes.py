"""/balance and the diary's week image, through the real routes and a real database."""

import json
import re
from datetime import date, timedelta

from bot.care.balance import own_balance
from bot.render import charts
from bot.turn.context import Turn
from storage import diary as diary_store
from storage import patients
from storage.database import run_in_transaction
from tests.bot.commands import balance_command, diary_command, invite_command, start
from tests.harness.catalogue import says, sv

PATIENT = 200


def enrol(chat, therapist):
    chat.command(invite_command, therapist, "invite", "depression", "P1")
    code = re.search(r"\?start=(\S+)", chat.last_text(therapist)).group(1)
    chat.command(start, PATIENT, "start", code)
    chat.press(PATIENT, "Jag godkänner")


def write(chat, day, part, activity, mood, kind):
    def save(conn):
        patient = conn.execute("SELECT id FROM patients").fetchone()["id"]
        now = chat.clock.now()
        diary_store.save_activity(conn, patient, day, part, activity, now)
        diary_store.save_detail(conn, patient, day, part, now, mood=mood, activity_type=kind)

    run_in_transaction(chat.conn, save)


def photos(chat, chat_id):
    return [row["params"] for row in chat.outbox(chat_id) if row["method"] == "sendPhoto"]


def test_no_types_yet_is_said_kindly_without_a_chart(chat, therapist):
    enrol(chat, therapist)
    write(chat, date(2026, 12, 1), "morning", "Promenad", 7, None)
    chat.command(balance_command, PATIENT, "balance")
    assert chat.last_text(PATIENT) == sv("balance.no_types")
    assert photos(chat, PATIENT) == []


def test_balance_over_the_weeks_as_chart_and_text(chat, therapist):
    enrol(chat, therapist)
    write(chat, date(2026, 12, 1), "morning", "Promenad", 6, "vill")
    write(chat, date(2026, 12, 1), "evening", "Disk", 4, "maste")
    write(chat, date(2026, 12, 2), "morning", "Promenad", 7, "vill")
    write(chat, date(2026, 12, 15), "morning", "Scrollade", 3, "kan_vara_utan")
    chat.clock.advance(timedelta(days=15))  # Wednesday 16 December: weeks 49, 50 and 51
    chat.command(balance_command, PATIENT, "balance")
    (photo,) = photos(chat, PATIENT)
    chart = photo["chart"]
    assert chart["kind"] == "balance"
    assert chart["weeks"] == ["v. 49", "v. 50", "v. 51"]
    assert chart["counts"] == [[2, 0, 0], [1, 0, 0], [0, 0, 1]]
    assert chart["moods"][0] == ["6,5", None, None]
    assert "Promenad" not in json.dumps(chart)  # the balance needs no free text
    assert charts.render(chart).startswith(b"\x89PNG")
    text = chat.last_text(PATIENT)
    assert "vill 2 (mående 6,5) · måste 1 (4,0) · kan vara utan 0" in text
    assert "<b>Vecka 50</b> (7 dec.–13 dec.): inget i dagboken" in text


def test_at_most_eight_weeks(chat, therapist):
    enrol(chat, therapist)
    write(chat, date(2026, 12, 1), "morning", "Promenad", 6, "vill")  # too old to show
    write(chat, date(2027, 2, 22), "morning", "Promenad", 6, "maste")
    chat.clock.advance(timedelta(weeks=12))  # Tuesday 23 February 2027
    chat.command(balance_command, PATIENT, "balance")
    chart = photos(chat, PATIENT)[0]["chart"]
    assert chart["weeks"] == [f"v. {n}" for n in range(1, 9)]
    assert chart["counts"][0] == [0] * 8
    assert chart["counts"][1] == [0] * 7 + [1]


def test_staff_balance_is_audited_and_only_for_their_patients(chat, therapist):
    enrol(chat, therapist)
    write(chat, date(2026, 12, 1), "morning", "Promenad", 6, "vill")
    chat.command(balance_command, therapist, "balance", "P1")
    (photo,) = photos(chat, therapist)
    assert photo["chart"]["title"].startswith("P1")
    assert says(chat.last_text(therapist), "balance.title_staff", label="P1")
    audited = chat.conn.execute("SELECT action FROM audit_log WHERE action = 'balance_viewed'")
    assert len(audited.fetchall()) == 1
    chat.command(balance_command, therapist, "balance", "P2")
    assert "Ingen patient" in chat.last_text(therapist)
    chat.command(balance_command, therapist, "balance")
    assert "/balance" in chat.last_text(therapist)


def test_balance_outcome_for_other_routes(chat, therapist):
    enrol(chat, therapist)
    write(chat, date(2026, 12, 1), "morning", "Promenad", 6, "vill")

    def route(turn: Turn):
        return own_balance(turn.conn, turn.world, turn.now, turn.t, turn.patient)

    chat.command(route, PATIENT, "module")
    assert photos(chat, PATIENT)[0]["chart"]["kind"] == "balance"


def test_week_view_sends_the_image_then_the_text(chat, therapist):
    enrol(chat, therapist)
    write(chat, date(2026, 12, 1), "morning", "Promenad i skogen", 7, None)
    chat.command(diary_command, PATIENT, "diary")
    chat.press(PATIENT, "📅 Veckan")
    rows = chat.outbox(PATIENT)
    assert [row["method"] for row in rows[-2:]] == ["sendPhoto", "sendMessage"]
    chart = rows[-2]["params"]["chart"]
    assert chart["kind"] == "diary_week"
    assert chart["cells"][1][0] == {"state": "none", "mood": 7, "text": "Promenad i skogen"}
    assert chart["cells"][0][0]["state"] == "empty"
    assert charts.render(chart).startswith(b"\x89PNG")
    assert "Promenad i skogen" in rows[-1]["params"]["text"]


def test_staff_week_view_has_an_image_per_week(chat, therapist):
    enrol(chat, therapist)
    chat.command(diary_command, therapist, "diary", "P1")
    methods = [row["method"] for row in chat.outbox(therapist)[-4:]]
    assert methods == ["sendPhoto", "sendMessage", "sendPhoto", "sendMessage"]


def test_enrollment_knows_when_it_started(chat, therapist):
    enrol(chat, therapist)
    patient = chat.conn.execute("SELECT id FROM patients").fetchone()["id"]
    assert patients.active_enrollment(chat.conn, patient).started_at == chat.clock.now()
