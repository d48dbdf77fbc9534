"""An add-on is named by its title, never its number: also in the reflection's title that
the therapist reads in /answers and /messages."""

from bot.care.messaging import exercise_title
from bot.i18n import Translator
from bot.turn.context import World
from dialogues.module_opening import reflection_title
from programs.loader import load_programs

T = Translator("sv")


def test_a_core_module_and_an_add_on_in_the_reflection_title():
    assert reflection_title(3, "Vill, måste", False, T) == T("messages.reflection_title", number=3)
    title = reflection_title(8, "Problemlösning", True, T)
    assert title == T("messages.reflection_title_addon", title="Problemlösning")
    assert "8" not in title


def test_the_answer_list_names_the_add_on_reflection_by_title():
    programs = load_programs()
    world = World(programs, {}, "b", 14, "sv")
    addon = programs["depression"].module(8, "sv")
    shown = exercise_title(world, "depression", "module-8/reflection", T)
    assert shown == T("messages.reflection_title_addon", title=addon.title)
    assert exercise_title(world, "depression", "module-2/reflection", T) == T(
        "messages.reflection_title", number=2
    )
