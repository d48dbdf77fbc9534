"""The bundled programs and questionnaires, loaded once per test session.

Loading and checking them takes a quarter of a second, and most behaviour tests need them as
they ship; the models are frozen, so one copy serves every test. A test that changes content
loads its own (programs.loader, programs.questionnaire_loader), as the loader tests do.
"""

from __future__ import annotations

from functools import cache

from programs.loader import ProgramCatalog, load_programs
from programs.questionnaire_loader import load_questionnaires
from programs.questionnaire_models import Questionnaire


@cache
def bundled_programs() -> ProgramCatalog:
    return load_programs()


@cache
def bundled_questionnaires() -> dict[str, Questionnaire]:
    return load_questionnaires()
