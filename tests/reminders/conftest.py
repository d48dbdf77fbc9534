"""The turn-test fixtures (a real database, the bundled programs, a bound therapist), for the
tests that press a reminder's buttons through the real routes."""

from tests.bot.conftest import chat, therapist  # noqa: F401  (fixtures)
