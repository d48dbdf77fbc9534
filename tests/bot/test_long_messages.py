"""Replies longer than Telegram allows become several calls, each within the limit, with the
buttons under the last; the outbox queues them in order; Visa of two long crisis texts sends
both whole to the therapist."""

from __future__ import annotations

import json

from bot.devtools.emulator.rendering import render_html
from bot.render.calls import reply_call
from bot.render.message_parts import CAPTION_LIMIT, TEXT_LIMIT, utf16_length, visible_length
from dialogues.types import Button, Reply
from storage import outbox
from storage.database import run_in_transaction
from tests.bot.conftest import START
from tests.bot.staff_helpers import enroll

LONG = "\n\n".join(f"<b>Rad {n}</b> {'ord &amp; ord ' * 60}" for n in range(20))
BUTTONS = ((Button("Nästa", "next"),),)


def all_calls(call):
    return [(call.method, call.params), *call.follow_ups]


def visible_of(calls, field="text"):
    return [render_html(params[field]) for _, params in calls if field in params]


def test_a_short_reply_is_one_call_unchanged():
    call = reply_call(Reply("Hej <b>du</b>", BUTTONS), 5, 3)
    assert call.follow_ups == ()
    assert call.params["text"] == "Hej <b>du</b>"
    assert "reply_markup" in call.params


def test_a_long_reply_is_split_with_the_buttons_on_the_last_part():
    call = reply_call(Reply(LONG, BUTTONS), 5, 3)
    calls = all_calls(call)
    assert len(calls) >= 3
    assert [method for method, _ in calls] == ["sendMessage"] * len(calls)
    assert all(utf16_length(seen) <= TEXT_LIMIT for seen in visible_of(calls))
    assert ["reply_markup" in params for _, params in calls] == [False] * (len(calls) - 1) + [True]
    assert json.loads(calls[-1][1]["reply_markup"])["inline_keyboard"][0][0]["text"] == "Nästa"
    joined = "".join(visible_of(calls)).replace("\n", "").replace(" ", "")
    assert joined == render_html(LONG).replace("\n", "").replace(" ", "")


def test_a_long_edit_edits_the_first_part_and_sends_the_rest():
    call = reply_call(Reply(LONG, BUTTONS, edit_pressed=True), 5, 3, pressed_message_id=77)
    calls = all_calls(call)
    assert calls[0][0] == "editMessageText" and calls[0][1]["message_id"] == 77
    assert "reply_markup" not in calls[0][1]  # the old buttons go with the edit
    assert {method for method, _ in calls[1:]} == {"sendMessage"}
    assert "reply_markup" in calls[-1][1]


def test_a_long_caption_keeps_its_beginning_and_the_rest_follows():
    chart = {"kind": "scores"}
    call = reply_call(Reply(LONG, chart=chart), 5, 0)
    calls = all_calls(call)
    assert calls[0][0] == "sendPhoto" and calls[0][1]["chart"] == chart
    assert visible_length(calls[0][1]["caption"]) <= CAPTION_LIMIT
    assert calls[0][1]["caption"].startswith("<b>Rad 0</b>")
    assert len(calls) >= 2 and {method for method, _ in calls[1:]} == {"sendMessage"}
    document = reply_call(Reply(LONG, document=("a.csv", "x;y")), 5, 0)
    assert visible_length(document.params["caption"]) <= CAPTION_LIMIT
    assert document.follow_ups


def test_the_outbox_queues_the_parts_in_order_once(chat):
    call = reply_call(Reply(LONG, BUTTONS), 5, 3, dedupe_key="flag:9:alert")
    first = run_in_transaction(chat.conn, lambda c: outbox.enqueue(c, call, START))
    again = run_in_transaction(chat.conn, lambda c: outbox.enqueue(c, call, START))
    assert again is None
    rows = chat.conn.execute(
        "SELECT id, dedupe_key, payload_json FROM outbox WHERE chat_id = 5 ORDER BY id"
    ).fetchall()
    assert rows[0]["id"] == first
    assert len(rows) == len(all_calls(call))
    assert [row["dedupe_key"] for row in rows][:3] == [
        "flag:9:alert",
        "flag:9:alert:part2",
        "flag:9:alert:part3",
    ]
    assert "reply_markup" in json.loads(rows[-1]["payload_json"])


def crisis_text(number: int) -> str:
    sentence = f"Text {number}: jag vill dö, jag orkar inte mer. "
    return (sentence * (4000 // len(sentence)))[:3990] + f" SLUT {number}"


def test_visa_of_two_long_crisis_texts_sends_both_whole(chat, therapist):
    patient = enroll(chat, therapist, "P1", 200)
    for number in (1, 2):
        chat.text(patient, crisis_text(number))
    before = len(chat.outbox(therapist))
    chat.press(therapist, "Visa")
    rows = chat.outbox(therapist)[before:]
    assert len(rows) == 3 and {row["method"] for row in rows} == {"sendMessage"}
    seen = [render_html(row["params"]["text"]) for row in rows]
    assert seen[0].startswith("Flagga #1")
    assert all(utf16_length(text) <= TEXT_LIMIT for text in seen)
    assert [crisis_text(1), crisis_text(2)] == seen[1:]  # each text whole, in its own message


def test_a_diary_week_of_long_activities_as_text_arrives_whole_within_the_limit(chat, therapist):
    """Every part of every day with a 300-character activity: /diary P1 for the therapist
    gives the week's chart and its text version, the text in several messages."""
    from datetime import date, timedelta

    from storage import diary, patients
    from tests.bot.commands import diary_command

    patient = enroll(chat, therapist, "P1", 200)
    patient_id = patients.by_telegram_user(chat.conn, patient).id
    monday = date(2026, 11, 30)
    parts = ("morning", "afternoon", "evening")
    for day in range(7):
        for part in parts:
            activity = f"Dag {day} {part}: " + ("promenad & <3 " * 30)[:270] + f" SLUT{day}{part}"
            run_in_transaction(
                chat.conn,
                lambda c, d=day, p=part, a=activity: diary.save_activity(
                    c, patient_id, monday + timedelta(days=d), p, a, START
                ),
            )
    before = len(chat.outbox(therapist))
    chat.command(diary_command, therapist, "diary", "P1")
    rows = chat.outbox(therapist)[before:]
    seen = [render_html(row["params"]["text"]) for row in rows if "text" in row["params"]]
    assert len(seen) > 2  # two weeks as text: this one in more than one message
    assert all(utf16_length(text) <= TEXT_LIMIT for text in seen)
    joined = "".join(seen)
    assert all(f"SLUT{day}{part}" in joined for day in range(7) for part in parts)
