"""First contact through the runner and real storage: the language chosen once is kept, after
/forget the greeting is not "Welcome back!", invites ask the language first, facilitators get
an introduction to their role, and other replies never repeat the welcome."""

from __future__ import annotations

from io import StringIO
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from bot.engine.conversation import Conversations, Speaker
from bot.terminal import TerminalChat
from flows.callbacks import Action, decode
from flows.content.guide import guide_for
from flows.events import Press, Text
from flows.replies import Outcome
from flows.states import Step
from flows.teams.rhythm import DeliveryRhythm
from flows.teams.views import TeamRules
from storage.crypto import TextCipher
from storage.database import Database
from storage.models import Answer, Person, Story
from tests.support.outcomes import all_text, find_button
from tests.support.teams import TEAMS, Member, make_runner, new_team, tell_story

if TYPE_CHECKING:
    from tests.support.clock import FakeClock

EN, NL = guide_for("en"), guide_for("nl")
GUESSED = Speaker("telegram", 4242, 4242, "en", language_is_guess=True)  # an English phone

FACILITATOR_INTRO = """You're now a facilitator of “Embassy Madrid”. What that means:
• You see the team's anonymous snapshot: which ways of learning, helpers, obstacles and next \
steps come up, as counts.
• Only for months (and quarters, half-years, years) that have ended, and only when at least 5 \
people took part.
• At the start of each month I send you the snapshot of the month that just ended, unasked. \
/photo shows it whenever you like.
• You never see names, anyone's answers or anyone's words: only the quotes people chose to \
share, without name or date.
You don't count in this team's snapshot yourself."""


@pytest.fixture
def runner(database: Database, cipher: TextCipher, clock: FakeClock) -> Conversations:
    return make_runner(database, cipher, clock)


def guessing(runner: Conversations, user_id: int = 4242) -> Member:
    """Someone on Telegram: the runner only has their phone's language, English."""
    member = Member(runner, user_id)
    member.speaker = Speaker("telegram", user_id, user_id, "en", language_is_guess=True)
    return member


async def stored(database: Database, user_id: int) -> Person | None:
    async with database.transaction() as session:
        return await session.scalar(select(Person).where(Person.external_id == user_id))


def language_buttons(outcome: Outcome) -> dict[str, str]:
    return {b.label: b.data for reply in outcome.replies for row in reply.buttons for b in row}


# --- the language is asked once and kept ----------------------------------------------------


async def test_the_chosen_language_is_stored_and_not_asked_again(runner: Conversations) -> None:
    ann = guessing(runner)
    asked = await ann.command("start")
    assert set(language_buttons(asked)) == {"English", "Nederlands"}
    person = await stored(runner.database, 4242)
    assert person is not None and (person.language_chosen, person.welcomed) == (False, False)
    welcome = await ann.press("Nederlands")
    assert all_text(welcome) == NL.texts.welcome.strip() + "\n"
    person = await stored(runner.database, 4242)
    assert person is not None
    assert (person.language, person.language_chosen, person.welcomed) == ("nl", True, True)
    again = await ann.command("start")
    assert all_text(again) == NL.texts.welcome_back + "\n"


async def test_after_forget_the_greeting_is_not_welcome_back(runner: Conversations) -> None:
    ann = guessing(runner)
    await ann.command("start")
    await ann.press("Nederlands")
    await ann.command("forget")
    await ann.press(NL.privacy.forget_yes)
    assert await stored(runner.database, 4242) is None
    asked = await ann.say("hallo")  # Telegram's guess (English) is all that is left
    assert all_text(asked).startswith(EN.texts.language_first)
    assert EN.texts.welcome_back not in all_text(asked)
    welcome = await ann.press("Nederlands")
    assert all_text(welcome) == NL.texts.welcome.strip() + "\n"


async def test_after_forget_the_terminal_greets_in_the_chosen_language(
    conversations: Conversations, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    out = StringIO()
    chat = TerminalChat(conversations, out=out)
    await chat.on_line("/start")
    assert EN.texts.language_first in out.getvalue()
    for line in ("2", "/forget", "1", "hallo"):  # Nederlands; delete everything
        await chat.on_line(line)
    after = out.getvalue().split(NL.privacy.forgotten)[1]
    assert NL.texts.welcome.strip() in after
    assert EN.texts.language_first not in after and "Welcome back" not in after


# --- invites at first contact -----------------------------------------------------------------


async def test_an_invite_at_first_contact_asks_the_language_then_the_team(
    runner: Conversations,
) -> None:
    code, _ = await new_team(runner, "Embassy Madrid")
    ann = guessing(runner)
    asked = await ann.command("start", f"j_{code}")
    pressed = decode(language_buttons(asked)["Nederlands"])
    assert pressed is not None and pressed.action is Action.LANGUAGE_INVITE
    offer = await ann.press("Nederlands")
    [confirm] = offer.replies
    assert confirm.edit and confirm.text == NL.teams.join_confirm.format(team="Embassy Madrid")
    joined = await ann.press(NL.teams.join_yes)
    said = [reply.text for reply in joined.replies]
    assert said == [NL.teams.joined.format(team="Embassy Madrid"), NL.texts.welcome.strip()]
    assert joined.state.step is Step.WELCOME
    assert all_text(await ann.command("start")) == NL.texts.welcome_back + "\n"


async def test_a_returning_person_opening_an_invite_gets_no_welcome(
    runner: Conversations,
) -> None:
    code, _ = await new_team(runner, "Embassy Madrid")
    bob = Member(runner, 77)
    await bob.command("start")
    await tell_story(bob, "Chairing meetings")
    await bob.command("start", f"j_{code}")
    joined = await bob.press(TEAMS.join_yes)
    assert [reply.text for reply in joined.replies] == [TEAMS.joined.format(team="Embassy Madrid")]
    assert all_text(await bob.command("start")) == EN.texts.welcome_back + "\n"


# --- facilitators -------------------------------------------------------------------------------


async def test_a_facilitator_is_introduced_to_the_role(runner: Conversations) -> None:
    _, code = await new_team(runner, "Embassy Madrid")
    fay = guessing(runner, 50)
    await fay.command("start", f"f_{code}")
    confirm = await fay.press("English")
    assert all_text(confirm).strip() == TEAMS.facilitator_confirm.format(
        team="Embassy Madrid", size=5
    )
    done = await fay.press(TEAMS.facilitator_yes)
    assert [(r.text, r.edit) for r in done.replies] == [(FACILITATOR_INTRO, True)]
    assert EN.texts.welcome.strip() not in all_text(done)
    assert all_text(await fay.command("start")) == EN.texts.welcome_back + "\n"


async def test_the_introduction_follows_the_delivery_rhythm(
    database: Database, cipher: TextCipher, clock: FakeClock
) -> None:
    runner = make_runner(database, cipher, clock, TeamRules(delivery=DeliveryRhythm.QUARTERLY))
    _, code = await new_team(runner, "Embassy Madrid")
    fay = Member(runner, 51, language="nl")
    await fay.command("start", f"f_{code}")
    done = await fay.press(NL.teams.facilitator_yes)
    said = all_text(done)
    assert "Aan het begin van elk kwartaal stuur ik je ongevraagd de teamfoto" in said
    assert "minstens 5 mensen" in said and "Je ziet nooit namen" in said
    off = TeamRules(delivery=DeliveryRhythm.OFF)
    runner = make_runner(database, cipher, clock, off)
    _, code = await new_team(runner, "Embassy Rabat")
    eve = Member(runner, 52)
    await eve.command("start", f"f_{code}")
    said = all_text(await eve.press(TEAMS.facilitator_yes))
    assert "• I don't send it unasked: /photo shows it whenever you like.\n" in said


# --- other replies do not repeat the welcome ---------------------------------------------------


@pytest.mark.parametrize("command", ["export", "team", "stories", "help"])
async def test_replies_while_greeted_do_not_append_the_welcome(
    runner: Conversations, command: str
) -> None:
    ann = Member(runner, 60)
    await ann.command("start")
    outcome = await ann.command(command)
    said = all_text(outcome)
    assert EN.texts.welcome.strip() not in said and EN.texts.welcome_back not in said
    begun = await ann.send(Press(find_button(await ann.command("start"), EN.texts.begin).data))
    assert begun.state.question == "change"


async def test_yes_typed_under_the_welcome_begins_and_is_not_stored(
    runner: Conversations,
) -> None:
    ann = Member(runner, 61)
    await ann.command("start")
    outcome = await ann.send(Text("Yes!", 5))
    assert outcome.state.question == "change"
    assert EN.opening.prompt in all_text(outcome)
    async with runner.database.transaction() as session:
        assert (await session.scalars(select(Answer))).all() == []
        assert len((await session.scalars(select(Story))).all()) == 1
