"""/stories in pages: newest first, a page at a time, and page numbers never trusted."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.engine.conversation import Conversations
from flows.callbacks import Action, decode, encode
from flows.content.guide import guide_for
from flows.events import Command, Press
from flows.render import STORIES_PER_PAGE
from flows.replies import CompleteStory, CreateStory, Outcome, Reply, SaveAnswer
from flows.states import State, StoryKind, StoryStatus
from storage.crypto import TextCipher
from storage.effects import apply_effects
from storage.repositories import People
from tests.support.chat import ALICE, Chat
from tests.support.flow_harness import EN, START, Person, StoredAnswer, StoredStory, T, World
from tests.support.outcomes import all_buttons, labels, texts

OLDER = T.stories_older
NEWER = T.stories_newer
OPENING = EN.opening.key


def stock(world: World, person: Person, count: int) -> list[int]:
    """``count`` complete stories titled "Story 1" (oldest) to "Story <count>"; newest first."""
    ids = []
    for number in range(1, count + 1):
        story_id = world.allocate_story_id()
        created = START - timedelta(days=count - number + 1)
        story = StoredStory(story_id, person.id, StoryKind.STORY, StoryStatus.COMPLETE, created)
        story.answers[OPENING] = StoredAnswer(f"Story {number}", (), False, None)
        world.stories[story_id] = story
        ids.append(story_id)
    return ids[::-1]


def listing(outcome: Outcome | None) -> Reply:
    assert outcome is not None
    (reply,) = outcome.replies
    return reply


def shown_ids(reply: Reply) -> list[int]:
    """The stories on a page, in order."""
    pressed = [decode(b.data) for row in reply.buttons for b in row]
    return [p.story_id for p in pressed if p and p.action is Action.CARD and p.story_id is not None]


def page_buttons(reply: Reply) -> list[str]:
    """The labels of the last row when it turns the page, else nothing."""
    last = [b.label for b in reply.buttons[-1]] if reply.buttons else []
    return last if set(last) <= {NEWER, OLDER} else []


def heading(first: int, last: int, total: int) -> str:
    return f"{T.stories_title}\n{T.stories_page.format(first=first, last=last, total=total)}"


# --- pages --------------------------------------------------------------------------------


def test_twenty_stories_in_three_pages_both_ways(world: World, person: Person) -> None:
    newest_first = stock(world, person, 20)
    first = listing(person.command("stories"))
    assert first.text == heading(1, 8, 20)
    assert shown_ids(first) == newest_first[:8]
    assert labels(first)[0].endswith("Story 20")
    assert page_buttons(first) == [OLDER]

    second = listing(person.tap(OLDER))
    assert second.edit is True  # the list turns its page in place
    assert second.text == heading(9, 16, 20)
    assert shown_ids(second) == newest_first[8:16]
    assert page_buttons(second) == [NEWER, OLDER]

    third = listing(person.tap(OLDER))
    assert third.text == heading(17, 20, 20)
    assert shown_ids(third) == newest_first[16:]
    assert labels(third)[-2].endswith("Story 1")
    assert page_buttons(third) == [NEWER]

    assert listing(person.tap(NEWER)).text == heading(9, 16, 20)
    back = listing(person.tap(NEWER))
    assert back.text == heading(1, 8, 20)
    assert shown_ids(back) == newest_first[:8]
    assert person.state == State()
    assert person.last is not None and person.last.effects == ()


def test_130_stories_every_page_small_and_every_story_once(world: World, person: Person) -> None:
    newest_first = stock(world, person, 130)
    seen: list[int] = []
    reply = listing(person.command("stories"))
    pages = 1
    while True:
        assert len(shown_ids(reply)) <= STORIES_PER_PAGE
        assert person.screen is not None
        assert len(all_buttons(person.screen)) <= STORIES_PER_PAGE + 2
        seen += shown_ids(reply)
        if OLDER not in page_buttons(reply):
            break
        reply = listing(person.tap(OLDER))
        pages += 1
    assert pages == 17
    assert reply.text == heading(129, 130, 130)
    assert seen == newest_first
    while NEWER in page_buttons(reply):
        reply = listing(person.tap(NEWER))
        pages -= 1
    assert pages == 1
    assert reply.text == heading(1, 8, 130)


@pytest.mark.parametrize(
    ("count", "pages"), [(1, 1), (STORIES_PER_PAGE, 1), (STORIES_PER_PAGE + 1, 2)]
)
def test_one_page_needs_no_numbers(world: World, person: Person, count: int, pages: int) -> None:
    stock(world, person, count)
    reply = listing(person.command("stories"))
    if pages == 1:
        assert reply.text == T.stories_title
        assert page_buttons(reply) == []
        assert len(reply.buttons) == count
    else:
        assert reply.text == heading(1, STORIES_PER_PAGE, count)
        assert listing(person.tap(OLDER)).text == heading(count, count, count)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("l|0", (1, 8)),
        ("l|-1", (1, 8)),
        ("l|abc", (1, 8)),
        ("l|1.5", (1, 8)),
        ("l|١", (1, 8)),  # Arabic-Indic digits are not page numbers
        ("l|2", (9, 16)),
        ("l|00002", (9, 16)),
        ("l|3", (17, 20)),
        ("l|4", (17, 20)),  # a page that is gone: the last one
        ("l|999999", (17, 20)),
        ("l|" + "9" * 60, (17, 20)),
        ("l", (1, 8)),  # "All your stories" in a card sent before there were pages
    ],
)
def test_forged_or_stale_pages_show_the_nearest_page(
    world: World, person: Person, data: str, expected: tuple[int, int]
) -> None:
    stock(world, person, 20)
    outcome = person.press(data)
    assert outcome.effects == ()
    assert outcome.state == State()
    assert listing(outcome).text == heading(*expected, 20)


def test_malformed_list_buttons_are_refused(world: World, person: Person) -> None:
    stock(world, person, 20)
    for data in ("l|", "l|1|2", "l||"):
        outcome = person.press(data)
        assert outcome.notice == T.invalid_button
        assert outcome.replies == ()


def test_the_last_story_on_a_page_deleted_meanwhile(world: World, person: Person) -> None:
    newest_first = stock(world, person, 9)
    person.command("stories")
    older = person.button(OLDER)
    del world.stories[newest_first[-1]]  # deleted elsewhere: the list has one page now
    reply = listing(person.press(older.data))
    assert reply.text == T.stories_title
    assert shown_ids(reply) == newest_first[:-1]


# --- stories and check-ins ----------------------------------------------------------------


def stock_checkins(world: World, person: Person, count: int) -> list[int]:
    """``count`` complete check-ins titled "Check-in 1" to "Check-in <count>", each half a day
    after the story of the same number; newest first."""
    ids = []
    for number in range(1, count + 1):
        story_id = world.allocate_story_id()
        created = START - timedelta(days=count - number + 1) + timedelta(hours=12)
        checkin = StoredStory(story_id, person.id, StoryKind.CHECKIN, StoryStatus.COMPLETE, created)
        title = person._title_question(StoryKind.CHECKIN)  # how this harness titles them
        checkin.answers[title] = StoredAnswer(f"Check-in {number}", (), False, None)
        world.stories[checkin.id] = checkin
        ids.append(story_id)
    return ids[::-1]


def kinds_shown(reply: Reply) -> list[str]:
    """Each line's marker: the word between the date and the title."""
    return [
        label.split(" · ", 1)[1].split(":", 1)[0]
        for label in labels(reply)[: len(shown_ids(reply))]
    ]


def test_each_line_says_story_or_checkin(world: World, person: Person) -> None:
    stories = stock(world, person, 2)
    checkins = stock_checkins(world, person, 2)
    reply = listing(person.command("stories"))
    assert shown_ids(reply) == [checkins[0], stories[0], checkins[1], stories[1]]
    assert kinds_shown(reply) == [T.kind_checkin, T.kind_story] * 2
    assert labels(reply)[0].endswith(f"{T.kind_checkin}: Check-in 2")
    assert labels(reply)[-1] == T.stories_only  # shown only when there are both kinds


def test_stories_only_by_button_and_back(world: World, person: Person) -> None:
    stories = stock(world, person, 10)
    stock_checkins(world, person, 10)
    first = listing(person.command("stories"))
    assert first.text == heading(1, 8, 20)
    only = listing(person.tap(T.stories_only))
    assert only.edit is True
    assert (
        only.text == f"{T.stories_only_title}\n{T.stories_page.format(first=1, last=8, total=10)}"
    )
    assert shown_ids(only) == stories[:8]
    assert set(kinds_shown(only)) == {T.kind_story}
    assert [b.label for b in only.buttons[-2]] == [T.stories_all]
    assert page_buttons(only) == [OLDER]
    second = listing(person.tap(OLDER))  # turning the page keeps the check-ins out
    assert shown_ids(second) == stories[8:]
    assert page_buttons(second) == [NEWER]
    everything = listing(person.tap(T.stories_all))
    assert everything.text == heading(1, 8, 20)
    assert person.state == State()


@pytest.mark.parametrize(
    ("language", "word"), [("en", "stories"), ("en", "Stories!"), ("nl", "verhalen")]
)
def test_stories_only_by_command(world: World, language: str, word: str) -> None:
    person = world.person(language=language)
    stories = stock(world, person, 3)
    stock_checkins(world, person, 3)
    texts_ = guide_for(language).texts
    reply = listing(person.command("stories", word))
    assert reply.text == texts_.stories_only_title
    assert shown_ids(reply) == stories
    assert labels(reply)[-1] == texts_.stories_all
    assert listing(person.command("stories", "something else")).text == texts_.stories_title


def test_only_checkins_yet(world: World, person: Person) -> None:
    stock_checkins(world, person, 2)
    assert T.stories_only not in labels(listing(person.command("stories")))
    reply = listing(person.command("stories", "stories"))
    assert reply.text == T.stories_only_empty
    assert labels(reply) == [T.stories_all]
    assert len(shown_ids(listing(person.tap(T.stories_all)))) == 2


def test_without_checkins_there_is_nothing_to_leave_out(world: World, person: Person) -> None:
    stock(world, person, 2)
    assert T.stories_only not in labels(listing(person.command("stories")))
    assert listing(person.command("stories", "stories")).text == T.stories_only_title
    assert listing(person.press(encode(Action.LIST_STORIES, "7"))).text == T.stories_only_title


# --- everywhere the list is shown, it starts at the first page ----------------------------


def test_stories_mid_question_shows_the_first_page_then_the_question(
    world: World, person: Person
) -> None:
    stock(world, person, 20)
    person.begin()
    before = person.state
    outcome = person.command("stories")
    assert outcome.state == before
    first, question = outcome.replies
    assert first.text == heading(1, 8, 21)  # the new draft is the newest story
    assert labels(first)[0].endswith(T.draft_marker)
    assert question.text.startswith(T.progress.format(number=1, total=len(EN.questions)))


def test_all_your_stories_on_a_card_goes_back_to_the_first_page(
    world: World, person: Person
) -> None:
    newest_first = stock(world, person, 20)
    person.command("stories")
    person.tap(OLDER)
    person.tap(OLDER)
    card = listing(person.press(encode(Action.CARD, newest_first[-1])))
    assert "Story 1" in card.text
    back = listing(person.tap(T.to_list))
    assert back.text == heading(1, 8, 20)
    assert back.edit is True


def test_pages_in_dutch(world: World) -> None:
    person = world.person(language="nl")
    stock(world, person, 20)
    nl = guide_for("nl").texts
    reply = listing(person.command("stories"))
    assert reply.text == f"{nl.stories_title}\n{nl.stories_page.format(first=1, last=8, total=20)}"
    assert [b.label for b in reply.buttons[-1]] == [nl.stories_older]
    assert texts(person.tap(nl.stories_older))[0].endswith("Verhalen 9–16 van 20")


# --- the runner, on a real database -------------------------------------------------------


async def test_pages_through_the_runner(conversations: Conversations, cipher: TextCipher) -> None:
    person = Chat(conversations)
    empty = await person.send(Command("stories"))
    assert empty is not None and texts(empty) == [T.stories_empty]
    start = conversations.clock()
    async with conversations.database.transaction() as session:
        me = await People(session).find(ALICE.channel, ALICE.external_id)
        assert me is not None
        for number in range(1, 21):
            effects = (
                CreateStory(number, StoryKind.STORY),
                SaveAnswer(number, OPENING, f"Story {number}"),
                CompleteStory(number),
            )
            await apply_effects(session, cipher, me, effects, start - timedelta(days=21 - number))

    first = listing(await person.send(Command("stories")))
    assert first.text == heading(1, 8, 20)
    assert shown_ids(first) == list(range(20, 12, -1))
    assert labels(first)[0].endswith("Story 20")
    assert page_buttons(first) == [OLDER]

    second = listing(await person.press(Action.LIST, "2"))
    assert second.text == heading(9, 16, 20)
    assert shown_ids(second) == list(range(12, 4, -1))
    last = listing(await person.press(Action.LIST, "3"))
    assert last.text == heading(17, 20, 20)
    assert shown_ids(last) == [4, 3, 2, 1]
    assert labels(last)[-2].endswith("Story 1")

    forged = listing(await person.send(Press("l|" + "9" * 60)))
    assert forged.text == heading(17, 20, 20)
    stale = listing(await person.send(Press("l")))
    assert stale.text == heading(1, 8, 20)
