"""Fixtures shared beyond one file, loaded for every test by ``conftest.pytest_plugins``.

The in-memory flow (``flow_harness``, ``checkin_harness``):
    ``world`` is an interview ``World`` and ``person`` is ``world.person()``, person 1 in
    English. A module marked ``pytestmark = pytest.mark.dialogue`` talks to the whole
    dialogue instead: ``world`` is a ``CheckinWorld`` and ``person`` a ``CheckinPerson``;
    ``pytest.mark.dialogue(scheduled=True)`` gives that person the default check-in
    settings in Amsterdam, as if stored earlier. ``set_up`` is ``person`` with those
    settings, for a test that needs them where the others in its module do not.

The check-in dispatcher (``dispatch``):
    ``sleeps`` records the dispatcher's waits, ``outbox`` is the fake sender on the
    test's clock, and ``dispatcher`` a ``CheckinDispatcher`` on both that never waits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from bot.engine.conversation import Conversations
from bot.jobs.checkins import CheckinDispatcher
from tests.support.checkin_harness import RULE, CheckinPerson, CheckinWorld
from tests.support.clock import Sleeps
from tests.support.dispatch import dispatcher_for
from tests.support.flow_harness import Person, World
from tests.support.outbox import Outbox

if TYPE_CHECKING:
    from tests.support.clock import FakeClock


# --- the in-memory flow ---------------------------------------------------------------


@pytest.fixture
def world(request: pytest.FixtureRequest) -> World:
    """Nobody's stories yet: a ``World``, or a ``CheckinWorld`` under ``mark.dialogue``."""
    return CheckinWorld() if request.node.get_closest_marker("dialogue") else World()


@pytest.fixture
def person(world: World, request: pytest.FixtureRequest) -> Person:
    """Person 1, speaking English, in ``world``; with ``mark.dialogue(scheduled=True)``
    they have the default check-in settings."""
    person = world.person()
    marker = request.node.get_closest_marker("dialogue")
    if marker is not None and marker.kwargs.get("scheduled"):
        set_schedule(person)
    return person


@pytest.fixture
def set_up(person: Person) -> CheckinPerson:
    """``person`` with the default check-in settings in Amsterdam (needs ``mark.dialogue``)."""
    return set_schedule(person)


def set_schedule(person: Person) -> CheckinPerson:
    assert isinstance(person, CheckinPerson), "check-in settings need pytest.mark.dialogue"
    person.set_schedule(RULE)
    return person


# --- the check-in dispatcher ----------------------------------------------------------


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def outbox(clock: FakeClock) -> Outbox:
    return Outbox(clock)


@pytest.fixture
def dispatcher(conversations: Conversations, outbox: Outbox, sleeps: Sleeps) -> CheckinDispatcher:
    return dispatcher_for(conversations, outbox, sleep=sleeps)
