"""An in-memory runner for the pure interview flow, for tests.

It does what ``bot.engine.conversation.Conversations`` does, without a database: it asks
``interview.needs`` what to load, builds a ``PersonView`` holding only the requested
stories that belong to the person, calls ``interview.step`` and applies the outcome's
effects to a dict of stored stories, the way ``storage.repositories.Stories`` does.
``tests.support.checkin_harness`` runs the whole dialogue through the same ``Person.send``,
by way of its hooks (``engine``, ``_view_extras``, ``_stepped``, ``_title_question``).

Effects that target a story the person does not own make the harness fail loudly:
real storage ignores them silently, and a test should notice the flow asking for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Protocol

from flows.callbacks import MAX_BYTES, Action, decode, encode
from flows.content.guide import Guide, guide_for
from flows.events import Command, Edited, Event, Media, MediaKind, Press, Text
from flows.interview import steps as interview
from flows.menu.effects import CloseNextStep, NextStepAsked, OrderNextStep, SetNextStepDue
from flows.menu.invitation_data import InvitationView, SaveInvitation
from flows.menu.links import SHARE_URL_LIMIT as URL_LIMIT
from flows.menu.views import NextStepView
from flows.render import MESSAGE_LIMIT, utf16_len
from flows.replies import (
    Button,
    CompleteStory,
    CreateStory,
    DeleteStory,
    Outcome,
    PersonActive,
    SaveAnswer,
    SetLanguage,
    Welcomed,
)
from flows.states import State, StoryKind, StoryStatus
from flows.views import AnswerView, EditedAnswer, Needs, PersonView, StoryHeader, StoryView
from tests.support import invitations, next_steps
from tests.support.outcomes import find_button

START = datetime(2024, 5, 3, 9, 0, tzinfo=UTC)
FIRST_STORY_ID = 1_000

# The English interview, which the tests speak unless they say otherwise.
EN = guide_for("en")
T = EN.texts
KEYS = [q.key for q in EN.questions]  # its questions, in order
TOTAL = len(KEYS)


@dataclass
class StoredAnswer:
    """One answer row as storage keeps it."""

    text: str | None
    choices: tuple[str, ...]
    skipped: bool
    message_id: int | None


@dataclass
class StoredStory:
    """One story row, with the id of the person who owns it."""

    id: int
    owner: int
    kind: StoryKind
    status: StoryStatus
    created_at: datetime
    answers: dict[str, StoredAnswer] = field(default_factory=dict)

    def view(self) -> StoryView:
        answers = {key: AnswerView(a.text, a.choices, a.skipped) for key, a in self.answers.items()}
        return StoryView(self.id, self.kind, self.status, self.created_at, answers)


class Engine(Protocol):
    """A flow module the runner drives: ``flows.interview.steps`` or ``flows.dialogue``."""

    def needs(self, state: State, event: Event) -> Needs: ...

    def step(self, view: PersonView, event: Event) -> Outcome: ...


class ForeignEffect(AssertionError):
    """The flow asked to change a story that is not the person's."""


@dataclass
class World:
    """Everybody's stories, a clock that ticks one minute per event, and story ids."""

    stories: dict[int, StoredStory] = field(default_factory=dict)
    next_steps: dict[int, next_steps.StoredNextStep] = field(default_factory=dict)
    invitations: dict[int, invitations.StoredCard] = field(default_factory=dict)
    now: datetime = START
    next_story_id: int = FIRST_STORY_ID

    def person(self, person_id: int = 1, language: str = "en") -> Person:
        return Person(self, person_id, language)

    def allocate_story_id(self) -> int:
        story_id = self.next_story_id
        self.next_story_id += 1
        return story_id

    def tick(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


@dataclass
class Person:
    """One person talking to the flow; keeps their state and language like the runner."""

    world: World
    id: int
    language: str = "en"
    state: State = field(default_factory=State)
    last: Outcome | None = None
    screen: Outcome | None = None  # the last outcome that showed something
    next_message_id: int = 1
    views: list[PersonView] = field(default_factory=list)
    language_chosen: bool = True  # False: like a Telegram user, whose language is a guess
    welcomed: bool = False  # like a new person: the first greeting is the long welcome
    bot_username: str | None = None  # on Telegram: the bot's name, for links
    inline_mode: bool = False  # on Telegram, with inline mode switched on

    # --- the runner ---------------------------------------------------------------------

    engine: ClassVar[Engine] = interview

    def send(self, event: Event) -> Outcome:
        """One update: load what the flow needs, decide, store the effects, keep the state."""
        now = self.world.tick()
        # The state must survive a round trip through the database column.
        state = State.from_json(self.state.to_json())
        needed = self.engine.needs(state, event)
        edited = None
        if needed.edited_message_id is not None:
            edited = self._find_answer_by_message(needed.edited_message_id)
        ids = set(needed.story_ids) | ({edited.story_id} if edited else set())
        view = PersonView(
            language=self.language,
            state=state,
            now=now,
            new_story_id=self.world.allocate_story_id(),
            stories=self._load(ids),
            story_list=self._headers() if needed.story_list else None,
            edited=edited,
            language_chosen=self.language_chosen,
            welcomed=self.welcomed,
            next_step=self.open_next_step() if needed.next_step else None,
            invitations=self.invitation_cards if needed.invitations else None,
            bot_username=self.bot_username,
            inline_mode=self.inline_mode,
            **self._view_extras(),
        )
        self.views.append(view)
        outcome = self.engine.step(view, event)
        check_limits(outcome)
        self._stepped(event, outcome)
        for effect in outcome.effects:
            self._apply(effect, now)
        self.state = outcome.state
        self.last = outcome
        if outcome.replies:
            self.screen = outcome
        return outcome

    def open_next_step(self) -> NextStepView | None:
        """The person's open next step, as ``storage.next_steps.NextSteps.open`` loads it."""
        mine = {s.id: s.view() for s in self.world.stories.values() if s.owner == self.id}
        return next_steps.open_step(self.world.next_steps, self.id, mine)

    @property
    def invitation_cards(self) -> tuple[InvitationView, ...]:
        """The person's invitation cards, newest first."""
        return invitations.cards_of(self.world.invitations, self.id)

    def _view_extras(self) -> dict[str, Any]:
        """More ``PersonView`` fields than the interview's (a subclass adds what it keeps)."""
        return {}

    def _stepped(self, event: Event, outcome: Outcome) -> None:
        """Called with each outcome before its effects are stored: a subclass checks it here."""

    def _own(self, story_id: int) -> StoredStory:
        story = self.world.stories.get(story_id)
        if story is None or story.owner != self.id:
            raise ForeignEffect(f"story {story_id} is not person {self.id}'s")
        return story

    def _load(self, ids: set[int]) -> dict[int, StoryView]:
        mine = (self.world.stories.get(i) for i in ids)
        return {s.id: s.view() for s in mine if s is not None and s.owner == self.id}

    def _headers(self) -> tuple[StoryHeader, ...]:
        """The person's stories, newest first, each titled by its ``_title_question``."""
        mine = [s for s in self.world.stories.values() if s.owner == self.id]
        mine.sort(key=lambda s: (s.created_at, s.id), reverse=True)
        return tuple(
            StoryHeader(
                s.id,
                s.kind,
                s.status,
                s.created_at,
                a.text if (a := s.answers.get(self._title_question(s.kind))) else None,
            )
            for s in mine
        )

    def _title_question(self, kind: StoryKind) -> str:
        """The question whose answer titles a story: the interview's opening one."""
        return guide_for(self.language).opening.key

    def _find_answer_by_message(self, message_id: int) -> EditedAnswer | None:
        for story in self.world.stories.values():
            if story.owner != self.id:
                continue
            for key, answer in story.answers.items():
                if answer.message_id == message_id:
                    return EditedAnswer(story.id, key)
        return None

    def _apply(self, effect: object, now: datetime) -> None:
        match effect:
            case CreateStory():
                if effect.story_id in self.world.stories:
                    raise AssertionError(f"story id {effect.story_id} used twice")
                self.world.stories[effect.story_id] = StoredStory(
                    effect.story_id, self.id, effect.kind, StoryStatus.DRAFT, now
                )
            case SaveAnswer():
                story = self._own(effect.story_id)
                old = story.answers.get(effect.question)
                message_id = effect.message_id
                if effect.detach_message:
                    message_id = None
                elif message_id is None and old is not None:
                    message_id = old.message_id
                story.answers[effect.question] = StoredAnswer(
                    effect.text, effect.choices, effect.skipped, message_id
                )
            case CompleteStory():
                self._own(effect.story_id).status = StoryStatus.COMPLETE
            case DeleteStory():
                self._own(effect.story_id)
                del self.world.stories[effect.story_id]
            case SetLanguage():
                self.language = effect.language
                self.language_chosen = True
            case Welcomed():
                self.welcomed = True
            case OrderNextStep() | SetNextStepDue() | CloseNextStep() | NextStepAsked():
                next_steps.apply(self.world.next_steps, self.id, effect, now)
            case SaveInvitation():
                invitations.save(self.world.invitations, self.id, effect, now)
            case _:
                raise AssertionError(f"unknown effect {effect!r}")

    # --- what the person does -----------------------------------------------------------

    def command(self, name: str, args: str = "") -> Outcome:
        return self.send(Command(name, args))

    def say(self, text: str) -> Outcome:
        """Send a text message with a fresh message id."""
        message_id = self.next_message_id
        self.next_message_id += 1
        return self.send(Text(text, message_id))

    def edit(self, message_id: int, text: str) -> Outcome:
        return self.send(Edited(text, message_id))

    def press(self, data: str) -> Outcome:
        return self.send(Press(data))

    def media(self, kind: MediaKind) -> Outcome:
        return self.send(Media(kind))

    def tap(self, label: str) -> Outcome:
        """Press the button with this label among the replies last shown."""
        return self.press(self.button(label).data)

    def button(self, label: str) -> Button:
        assert self.screen is not None, "nothing on screen yet"
        return find_button(self.screen, label)

    # --- where the person is ------------------------------------------------------------

    @property
    def guide(self) -> Guide:
        return guide_for(self.language)

    @property
    def stories(self) -> dict[int, StoredStory]:
        return {i: s for i, s in self.world.stories.items() if s.owner == self.id}

    def story(self, story_id: int | None = None) -> StoredStory:
        """A stored story of this person; by default the one the state points at."""
        story_id = self.state.story_id if story_id is None else story_id
        assert story_id is not None
        return self._own(story_id)

    def begin(self) -> Outcome:
        """/start and the Begin button: the opening question of a new story."""
        self.command("start")
        return self.tap(self.guide.texts.begin)

    def answer(self, text: str) -> Outcome:
        """Type an answer to the question being asked and go on: under a quick-pick question
        typed words keep the question open, so this also taps Done there."""
        story_id, key = self.state.story_id, self.state.question
        outcome = self.say(text)
        if story_id is not None and key is not None and self.state.question == key:
            outcome = self.press(encode(Action.DONE, story_id, key))
        return outcome

    def answer_all(self) -> Outcome:
        """Answer every remaining question with a short text, up to the card."""
        outcome = self.last
        assert outcome is not None
        while self.state.question is not None:
            outcome = self.answer(f"answer to {self.state.question}")
        return outcome

    def to_question(self, key: str) -> int:
        """Begin a story and answer with text up to the question ``key``; the story's id."""
        self.begin()
        while self.state.question != key:
            self.answer(f"answer to {self.state.question}")
        assert self.state.story_id is not None
        return self.state.story_id

    def story_to_card(self) -> Outcome:
        """A new story with every question answered, showing its draft card."""
        self.begin()
        return self.answer_all()

    def complete_story(self) -> int:
        """A new story, confirmed; returns its id."""
        self.story_to_card()
        story_id = self.state.story_id
        assert story_id is not None
        self.tap(self.guide.texts.confirm)
        return story_id


def check_limits(outcome: Outcome) -> None:
    """Every reply fits a Telegram message; every button is one of ours and fits too."""
    for reply in outcome.replies:
        assert reply.text.strip(), "an empty message"
        assert utf16_len(reply.text) <= MESSAGE_LIMIT
        for row in reply.buttons:
            for button in row:
                assert button.label.strip(), "a button without a label"
                if button.url is not None:
                    assert button.url.startswith("https://") and len(button.url) <= URL_LIMIT
                    continue
                if button.inline_query is not None:
                    continue
                assert len(button.data.encode()) <= MAX_BYTES
                assert decode(button.data) is not None, button.data


def assert_refused(outcome: Outcome, before: State, notice: str) -> None:
    """A button that does nothing but say why: a toast, no message, the same state, and
    nothing stored (the whole dialogue marks the person active, which ``CheckinPerson``
    checks; the interview alone stores no such effect)."""
    assert outcome.notice == notice
    assert outcome.replies == ()
    assert all(isinstance(e, PersonActive) for e in outcome.effects), outcome.effects
    assert outcome.state == before


def option(question: str, key: str, language: str = "en") -> str:
    """The label of one quick-pick option."""
    found = guide_for(language).question(question)
    assert found is not None
    return found.options[key]


def title(question: str, language: str = "en") -> str:
    """The short title of one question, as on the card and in the change menu."""
    found = guide_for(language).question(question)
    assert found is not None
    return found.title


def toggle_data(story_id: int, question: str, option: str) -> str:
    return encode(Action.TOGGLE, story_id, question, option)
