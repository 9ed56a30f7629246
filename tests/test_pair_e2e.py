"""The pair interview end to end, through the fake Bot API with the real Application and
two people: Ann invites Ben to interview her, Ben notes what he hears question by
question, Ann sees each answer and corrects one, confirms the card and owns the story.
Ben's chat and Ben's rows keep nothing of it; the story counts in the team photo as
Ann's. Stopping works from either side, and odd moves get a short, kind answer."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.telegram.app import RunningBot
from flows.callbacks import encode_id
from flows.pair.data import PairStatus
from flows.teams.periods import Period, Span
from flows.teams.photo import STORYTELLERS
from storage.erasure import erase_person
from storage.models import Membership, OutboxMessage, Person, Team
from storage.photo_months import PhotoMonths
from tests.support.fake_telegram import FakeTelegram, FakeUser
from tests.support.pair_steps import (
    CORRECTED,
    HELPED,
    OPENING,
    PAIR,
    SECRETS,
    WORDS,
    accept,
    answers_of,
    done,
    first_noted,
    invitation,
    message,
    pair_rows,
    question,
    secrets_in_tables,
    stories_of,
    tap,
)
from tests.support.telegram import EN, TOKEN, bot_settings, first_start, running_bot

BOTH = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


async def one_team(bot: RunningBot, *people: FakeUser) -> int:
    """A team with these people as members (straight into the database)."""
    now = datetime.now(UTC)
    async with bot.services.database.transaction() as session:
        team = Team(name="Post Rabat", created_at=now)
        session.add(team)
        await session.flush()
        for user in people:
            person = await session.scalar(select(Person.id).where(Person.external_id == user.id))
            assert person is not None
            session.add(Membership(person_id=person, team_id=team.id, joined_at=now))
        return team.id


def seen(user: FakeUser) -> str:
    """Everything still visible in a chat: the bot's messages and the person's own."""
    bot_texts = [m.text or "" for m in user.messages]
    return "\n".join([*bot_texts, *(m.get("text", "") for m in user.chat.user_messages.values())])


@BOTH
async def test_a_pair_interview_from_invitation_to_a_story_of_her_own(
    tmp_path: Path, database_url: str
) -> None:
    async with FakeTelegram(token=TOKEN) as tg:
        async with running_bot(bot_settings(tg, tmp_path, database_url)) as bot:
            ann, ben = tg.user(5101, "Ann", language_code="en"), tg.user(5102, "Ben")
            payload = await invitation(ann, PAIR.me_tell)
            started = await accept(ben, payload)
            assert started.text == PAIR.invited_tell and not started.buttons
            await message(ann, PAIR.being_asked)
            await one_team(bot, ann, ben)  # her story counts in the team she is in

            noted = await first_noted(ben, ann, OPENING)
            assert noted.text == PAIR.noted.format(title=EN.opening.title, answer=OPENING).strip()
            await question(ben, 2)
            await tap(ben, "By doing, trial and error")
            await tap(ben, "Feedback")
            await done(ben, EN.questions[1].title)
            await question(ben, 3)
            how = await message(ann, "Noted")
            assert how.text and "By doing, trial and error · Feedback" in how.text

            # Ann corrects the first answer: her version replaces what Ben noted
            await ann.press_button(PAIR.correct, noted.message_id)
            prompt = f"Type your version of “{EN.opening.title}”"
            await message(ann, prompt)
            await ann.send(CORRECTED)
            await message(ann, "Changed ✓")
            told = await message(ben, "Your colleague put")
            assert CORRECTED not in (told.text or ""), "the interviewer is told that, not what"

            await tap(ben, "A colleague")
            await ben.send(WORDS)
            assert (await message(ben, PAIR.words_added)).text == PAIR.words_added
            await done(ben, EN.questions[2].title)
            await question(ben, 4)
            await ben.press_button(PAIR.skip)
            await question(ben, 5)
            await tap(ben, "Time, work pressure")
            await done(ben, EN.questions[4].title)
            await question(ben, 6)
            await ben.send(HELPED)
            await question(ben, 7)
            await tap(ben, "Sparring with someone")
            await ben.press_button(PAIR.done)
            handed = await message(ben, PAIR.handed_over)
            assert not handed.buttons

            card = await message(ann, EN.texts.card_draft_title.split("{")[0].strip()[:10])
            assert CORRECTED in (card.text or "") and WORDS in (card.text or "")
            assert (card.text or "").endswith(PAIR.review)
            await ann.press_button(PAIR.save, card.message_id)
            saved = await message(ann, PAIR.saved)
            assert [label for label, _ in saved.buttons] == [PAIR.swap_ask]
            thanks = await message(ben, PAIR.saved_note)
            assert [label for label, _ in thanks.buttons] == [PAIR.swap_tell]
            await tg.wait_until_idle()

            # Ann owns the story, exactly as if she had told it to the bot
            [story] = await stories_of(bot, ann)
            assert story.status == "complete" and story.kind == "story"
            answers = await answers_of(bot, story.id)
            assert answers["change"] == (CORRECTED, set())
            assert answers["how"] == (None, {"by_doing", "feedback"})
            assert answers["who"] == (WORDS, {"colleague"})
            assert answers["helped_most"] == (HELPED, set())
            assert answers["obstacles"] == (None, {"time_pressure"})

            # Ben keeps nothing: no story, no draft, and his chat shows none of it
            assert await stories_of(bot, ben) == []
            [row] = await pair_rows(bot)
            assert row.status == PairStatus.DONE.value
            assert row.answers_encrypted is None and row.messages == "[]"
            assert await outbox_rows(bot) == 0
            # nowhere in the database but in her story's answers, encrypted
            assert await secrets_in_tables(bot, SECRETS) == {"answers.text_encrypted"}
            visible = seen(ben)
            for secret in SECRETS:
                assert secret not in visible
            assert not any(t.startswith("✅") for m in ben.messages for t, _ in m.buttons)
            assert tg_deletes(tg, ben) == 1, "one deleteMessages call"

            # the story counts in the team photo as Ann's, not Ben's
            await photo_counts(bot, ann, ben, story.completed_at)
        tg.assert_no_violations()


async def outbox_rows(bot: RunningBot) -> int:
    async with bot.services.database.transaction() as session:
        return len(list(await session.scalars(select(OutboxMessage))))


def tg_deletes(tg: FakeTelegram, user: FakeUser) -> int:
    return sum(
        1
        for c in tg.calls
        if c.method == "deleteMessages" and c.params.get("chat_id") == user.chat_id
    )


async def photo_counts(
    bot: RunningBot, ann: FakeUser, ben: FakeUser, completed: datetime | None
) -> None:
    assert completed is not None
    month = Period.containing(Span.MONTH, completed)
    async with bot.services.database.transaction() as session:
        team = await session.scalar(select(Team.id))
        assert team is not None
        months = PhotoMonths(session, bot.services.cipher)
        await months.frozen(team, month, month.end, EN.opening.key)
        window = await months.read(team, month)
        tokens = {
            user.id: await session.scalar(
                select(Person.photo_token).where(Person.external_id == user.id)
            )
            for user in (ann, ben)
        }
    assert window.stories == 1
    assert window.counts[("how", "by_doing")] == 1
    assert window.counts[("obstacles", "time_pressure")] == 1
    tellers = set().union(*window.people[STORYTELLERS].values())
    assert tellers == {tokens[ann.id]}


@BOTH
async def test_the_person_interviewed_stops_and_the_interviewer_keeps_nothing(
    tmp_path: Path, database_url: str
) -> None:
    async with FakeTelegram(token=TOKEN) as tg:
        async with running_bot(bot_settings(tg, tmp_path, database_url)) as bot:
            ann, ben = tg.user(5201, "Ann", language_code="en"), tg.user(5202, "Ben")
            payload = await invitation(ann, PAIR.you_tell)  # Ann asks, Ben tells
            await accept(ben, payload)
            ready = await message(ann, PAIR.accepted)
            await ann.press_button(PAIR.start, ready.message_id)
            await first_noted(ann, ben, OPENING)
            await question(ann, 2)
            await tap(ann, "Feedback")  # a ticked pick: this message holds an answer
            ticked = ann.chat.edit_log[-1]

            await ben.send("/stop")
            assert (await ben.wait_for_message()).text == PAIR.stopped
            await message(ann, PAIR.stopped_note)
            await tg.wait_until_idle()
            assert await pair_rows(bot) == []
            assert await stories_of(bot, ben) == [] and await stories_of(bot, ann) == []
            assert OPENING not in seen(ann)
            assert ann.chat.bot_message(ticked) is None, "the ticked question was deleted"
            await ann.send("more words")  # her step was that pair's: it is over, kindly
            assert (await ann.wait_for_message()).text == PAIR.ended
        tg.assert_no_violations()


@BOTH
async def test_the_interviewer_stops_with_the_button(tmp_path: Path, database_url: str) -> None:
    async with FakeTelegram(token=TOKEN) as tg:
        async with running_bot(bot_settings(tg, tmp_path, database_url)) as bot:
            ann, ben = tg.user(5301, "Ann", language_code="en"), tg.user(5302, "Ben")
            await accept(ben, await invitation(ann, PAIR.me_tell))
            await first_noted(ben, ann, OPENING)
            await question(ben, 2)
            await ben.press_button(PAIR.stop)
            assert (await message(ben, PAIR.stopped)).text == PAIR.stopped
            await message(ann, PAIR.stopped_note)
            await tg.wait_until_idle()
            assert await pair_rows(bot) == [] and await stories_of(bot, ann) == []
            assert OPENING not in seen(ben)
            await ann.send("/stop")  # nothing left to stop
            assert (await ann.wait_for_message()).text == PAIR.nothing_to_stop
        tg.assert_no_violations()


async def test_odd_moves_get_a_short_kind_answer(tmp_path: Path) -> None:
    async with FakeTelegram(token=TOKEN) as tg:
        async with running_bot(bot_settings(tg, tmp_path)) as bot:
            ann, ben = tg.user(5401, "Ann", language_code="en"), tg.user(5402, "Ben")
            cas = tg.user(5403, "Cas", language_code="en")
            payload = await invitation(ann, PAIR.me_tell)
            await ann.send(f"/start {payload}")  # her own link
            assert (await ann.wait_for_message()).text == PAIR.own_link
            await ann.send(f"/start {payload[:-2]}xx")  # a link that never was
            assert (await ann.wait_for_message()).text == PAIR.link_invalid

            await accept(ben, payload)
            await question(ben, 1)
            await ben.send_sticker()
            assert (await ben.wait_for_message()).text == PAIR.text_only
            await ben.send("/reflect")  # another dialogue would leave Ann waiting
            assert (await ben.wait_for_message()).text == PAIR.commands_wait
            pair_id = encode_id((await pair_rows(bot))[0].id)
            forged = f"yc|{pair_id}|change"
            await ben.press(forged, forged=True)  # the correction button is Ann's, not his
            assert (await ben.wait_for_answer()).text == EN.texts.stale_button
            await ben.press("yo|zzzzzzzzzzzzz|how|feedback", forged=True)  # beyond any id
            assert (await ben.wait_for_answer()).text == EN.texts.invalid_button
            await ben.send(OPENING)
            await question(ben, 2)
            old = ben.last_message.callback_data[0].replace("|how|", "|change|")
            await ben.press(old, forged=True)  # a pick of the question before
            assert (await ben.wait_for_answer()).text == EN.texts.stale_button

            await first_start(cas)
            await cas.send(f"/start {payload}")  # a third person, once the link was used
            assert (await cas.wait_for_message()).text == PAIR.link_used
            await cas.press(f"ya|{pair_id}", forged=True)
            assert (await cas.wait_for_answer()).text == PAIR.ended
            await ann.send("/pair")  # she is in it already
            assert (await ann.wait_for_message()).text == PAIR.busy
        tg.assert_no_violations()


@BOTH
async def test_erasing_either_person_removes_the_pair(tmp_path: Path, database_url: str) -> None:
    async with FakeTelegram(token=TOKEN) as tg:
        async with running_bot(bot_settings(tg, tmp_path, database_url)) as bot:
            ann, ben = tg.user(5501, "Ann", language_code="en"), tg.user(5502, "Ben")
            await accept(ben, await invitation(ann, PAIR.me_tell))
            await first_noted(ben, ann, OPENING)
            assert len(await pair_rows(bot)) == 1
            async with bot.services.database.transaction() as session:
                person = await session.scalar(select(Person.id).where(Person.external_id == ann.id))
                assert person is not None
                await erase_person(session, person)
            assert await pair_rows(bot) == []
            await ben.send("more notes")  # his step was that pair's: it is over, kindly
            await message(ben, PAIR.ended)
        tg.assert_no_violations()
