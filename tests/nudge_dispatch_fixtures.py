"""Fixtures for the nudge dispatcher tests, loaded for every test by ``conftest.pytest_plugins``.

``sleeps`` replaces the dispatcher module's ``asyncio`` with a recorder of sleeps,
``outbox`` is the fake sender on the test's clock, and ``dispatcher`` is a
``NudgeDispatcher`` on both that does not pace (see ``nudge_dispatch_support``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from nudge_dispatch_support import Outbox, Sleeps, dispatcher_for

import bot.jobs.checkins as nudge_dispatch
from bot.engine.conversation import Conversations
from bot.jobs.checkins import NudgeDispatcher

if TYPE_CHECKING:
    from tests.conftest import FakeClock


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> Sleeps:
    fake = Sleeps()
    monkeypatch.setattr(nudge_dispatch, "asyncio", fake)
    return fake


@pytest.fixture
def outbox(clock: FakeClock) -> Outbox:
    return Outbox(clock)


@pytest.fixture
def dispatcher(conversations: Conversations, outbox: Outbox, sleeps: Sleeps) -> NudgeDispatcher:
    return dispatcher_for(conversations, outbox)
