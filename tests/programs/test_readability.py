"""LIX, counted as programs/readability.py says: words of letters, sentences at . ! ? : and
line breaks, long words over six letters."""

from __future__ import annotations

import pytest

from programs.readability import Lix, lix


def test_the_formula() -> None:
    # 9 words, 2 sentences, 3 long words (programmet, behandlare, skriver): 9/2 + 100*3/9
    counts = lix("Programmet är ditt. Din behandlare läser vad du skriver!")
    assert counts == Lix(words=9, sentences=2, long_words=3)
    assert counts.value == pytest.approx(4.5 + 100 * 3 / 9)


def test_six_letters_is_not_long_seven_is() -> None:
    assert lix("Regnar.").long_words == 0
    assert lix("Regnade.").long_words == 1


def test_line_breaks_end_sentences_so_lists_and_headings_count_alone() -> None:
    text = "Så här gör du\n• Välj en sak\n• Gör den i dag"
    assert lix(text).sentences == 3


def test_colon_question_and_exclamation_end_sentences_but_not_inside_a_word() -> None:
    assert lix("Fråga: hur mår du? Bra! Kl. 3.30 går vi").sentences == 5
    assert lix("Version 3.30 finns").sentences == 1


def test_digits_are_not_words_and_a_hyphen_joins() -> None:
    counts = lix("KBT-behandling i 20–30 minuter.")
    assert counts.words == 3 and counts.long_words == 2  # KBT-behandling, minuter


def test_an_empty_text_scores_nothing() -> None:
    assert lix("").value == 0.0 and lix("123 – 456").words == 0


def test_english_is_counted_the_same_way() -> None:
    counts = lix("Don't worry. Everything takes practice.")
    assert counts == Lix(words=5, sentences=2, long_words=2)
