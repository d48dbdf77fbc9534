"""Catalogues: every language has every key, and every key the code uses exists."""

import re
from pathlib import Path

from bot.i18n import LANGUAGES, Translator, catalogue, language_for

ROOT = Path(__file__).resolve().parents[2]


def test_catalogues_have_the_same_keys():
    keys = [set(catalogue(language)) for language in LANGUAGES]
    assert all(k == keys[0] for k in keys)


def test_placeholders_match_between_languages():
    for key, text in catalogue("sv").items():
        other = catalogue("en")[key]
        assert set(re.findall(r"{(\w+)}", text)) == set(re.findall(r"{(\w+)}", other)), key


def test_every_literal_key_used_in_code_exists():
    used = set()
    for folder in ("bot", "dialogues"):
        for path in (ROOT / folder).rglob("*.py"):
            used |= set(
                re.findall(
                    r"""\bt\(\s*["']([a-z_-]+\.[a-z_.-]*[a-z])["']\s*[,)]""", path.read_text()
                )
            )
    missing = used - set(catalogue("sv"))
    assert not missing


def test_language_from_telegram_code():
    assert language_for("en-GB") == "en"
    assert language_for("sv") == "sv"
    assert language_for("de") == "sv"
    assert language_for(None) == "sv"
    assert Translator("xx").language == "sv"
