"""Fixtures for the in-memory flow tests, loaded for every test by ``conftest.pytest_plugins``.

``world`` is an interview ``World`` and ``person`` is ``world.person()``, person 1 in
English. A test file about the whole dialogue overrides only ``world`` with a
``NudgeWorld``; its ``person`` is then a ``NudgePerson``. ``set_up`` is that person with
the default check-in settings in Amsterdam, as if stored earlier.
"""

from __future__ import annotations

import pytest
from flow_harness import Person, World
from nudge_harness import RULE, NudgePerson


@pytest.fixture
def world() -> World:
    """Nobody's stories yet; the clock at ``flow_harness.START``."""
    return World()


@pytest.fixture
def person(world: World) -> Person:
    """Person 1, speaking English, in ``world`` (a ``NudgePerson`` in a ``NudgeWorld``)."""
    return world.person()


@pytest.fixture
def set_up(person: NudgePerson) -> NudgePerson:
    """``person`` with the default check-in settings in Amsterdam (needs a ``NudgeWorld``)."""
    person.set_schedule(RULE)
    return person
