"""A conversation as data: a whole interview in Dutch, as (what the person does, what must
follow) pairs, in the manner of Rasa's test stories."""

from __future__ import annotations

from dataclasses import dataclass

from flows.content.guide import guide_for, language_from_telegram
from flows.events import Command, Edited, Event, Media, MediaKind, Text
from flows.menu.effects import OrderNextStep
from flows.replies import CompleteStory, CreateStory, Effect, Outcome, SaveAnswer, Welcomed
from flows.states import Step, StoryStatus
from tests.support.flow_harness import Person, World
from tests.support.menu_steps import suggestion_buttons, suggestion_text
from tests.support.outcomes import labels

NL = guide_for("nl")
N = NL.texts
DATE = "3 mei 2024"


def opt(question: str, option: str) -> str:
    found = NL.question(question)
    assert found is not None
    return found.options[option]


def title(question: str) -> str:
    found = NL.question(question)
    assert found is not None
    return found.title


def progress(number: int) -> str:
    return N.progress.format(number=number, total=len(NL.questions))


@dataclass(frozen=True)
class Tap:
    """The person taps the button with this label on the last message shown."""

    label: str


@dataclass(frozen=True)
class Expect:
    """What must follow one turn."""

    step: Step
    question: str | None = None
    says: tuple[str, ...] = ()  # each appears in one of the replies
    effects: tuple[type[Effect], ...] = ()
    buttons: tuple[str, ...] | None = None  # the last reply's buttons, when given
    notice: str | None = None


Q = Step.QUESTION
EXAMPLES = tuple(example.label for example in NL.opening.examples)
ABOUT = N.about.format(title="Ik schrijf nu kortere ambtsberichten.")
QUESTION_BUTTONS = (N.done, N.back, N.skip)

CONVERSATION: list[tuple[Event | Tap, Expect]] = [
    (
        Command("start"),
        Expect(
            Step.WELCOME,
            says=(N.welcome.strip(),),
            effects=(Welcomed,),
            buttons=(N.begin, N.not_now),
        ),
    ),
    (
        Tap(N.begin),
        Expect(Q, "change", (progress(1), NL.opening.prompt), (CreateStory,), EXAMPLES),
    ),
    (Tap(EXAMPLES[1]), Expect(Q, "change", (NL.opening.examples[1].hint,), buttons=EXAMPLES)),
    (Media(MediaKind.VOICE), Expect(Q, "change", (N.media_not_supported, progress(1)))),
    (Text("   ", 1), Expect(Q, "change", (N.empty_text,))),
    (
        Text("Ik schrijf nu kortere ambtsberichten.", 2),
        Expect(Q, "how", (progress(2), ABOUT), (SaveAnswer,)),
    ),
    (
        Tap(opt("how", "by_doing")),
        Expect(Q, "how", ("✅ " + opt("how", "by_doing"),), (SaveAnswer,)),
    ),
    (Tap(opt("how", "feedback")), Expect(Q, "how", effects=(SaveAnswer,))),
    (Tap(opt("how", "by_doing")), Expect(Q, "how", effects=(SaveAnswer,))),
    (Tap(N.done), Expect(Q, "who", (progress(3), N.choices_hint))),
    (Command("help"), Expect(Q, "who", (N.help.strip(), progress(3)))),
    (Command("foo"), Expect(Q, "who", (N.unknown_command, progress(3)))),
    (Tap(opt("who", "experienced_colleague")), Expect(Q, "who", effects=(SaveAnswer,))),
    (
        Text("Vooral mijn collega op de post in Rabat", 3),
        Expect(Q, "who", (N.words_added,), (SaveAnswer,)),
    ),
    (Tap(N.done), Expect(Q, "resources", (progress(4), ABOUT))),
    (Tap(N.skip), Expect(Q, "obstacles", (progress(5),), (SaveAnswer,))),
    (Tap(N.back), Expect(Q, "resources", (progress(4),))),
    (Tap(opt("resources", "examples_templates")), Expect(Q, "resources", effects=(SaveAnswer,))),
    (Tap(N.done), Expect(Q, "obstacles", (progress(5),))),
    (Tap(opt("obstacles", "time_pressure")), Expect(Q, "obstacles", effects=(SaveAnswer,))),
    (Tap(opt("obstacles", "self_doubt")), Expect(Q, "obstacles", effects=(SaveAnswer,))),
    (
        Text("Klaar!", 40),  # typed, it is the same as tapping Klaar
        Expect(Q, "helped_most", (progress(6), N.text_hint), buttons=(N.back, N.skip)),
    ),
    (
        Text("Een collega die zei: vraag het gewoon.", 4),
        Expect(Q, "next_step", (NL.thanks.offer, NL.thanks.yes, NL.thanks.no), (SaveAnswer,)),
    ),
    (Command("cancel"), Expect(Step.IDLE, says=(N.paused,))),
    (
        Command("reflect"),
        Expect(
            Step.IDLE,
            says=(N.draft_exists.format(date=DATE), ABOUT),
            buttons=(N.resume, N.start_fresh),
        ),
    ),
    (
        Tap(N.resume),
        Expect(
            Q,
            "next_step",
            (progress(7),),
            buttons=(*NL.questions[-1].options.values(), *QUESTION_BUTTONS),
        ),
    ),
    (Tap(opt("next_step", "peer_consultation")), Expect(Q, "next_step", effects=(SaveAnswer,))),
    (
        Tap(N.done),
        Expect(
            Step.REVIEW,
            says=(N.card_draft_title.format(date=DATE), N.card_question),
            buttons=(N.confirm, N.change, N.discard),
        ),
    ),
    (Tap(N.change), Expect(Step.REVIEW, says=(N.change_which,))),
    (
        Tap("1. " + title("change")),
        Expect(
            Q, "change", (N.current_answer.format(answer="Ik schrijf nu kortere ambtsberichten."),)
        ),
    ),
    (
        Text("Ik schrijf nu scherpere ambtsberichten.", 5),
        Expect(Step.REVIEW, says=("scherpere",), effects=(SaveAnswer,)),
    ),
    (
        Edited("Een collega die zei: vraag het gewoon!", 4),
        Expect(
            Step.REVIEW,
            says=(N.edit_saved.format(question=title("helped_most")),),
            effects=(SaveAnswer,),
        ),
    ),
    (
        Text("klaar?", 6),
        Expect(
            Step.REVIEW, says=(N.in_progress, "gewoon!"), buttons=(N.confirm, N.change, N.discard)
        ),
    ),
    (
        Tap(N.confirm),
        Expect(
            Step.IDLE,
            says=(
                N.card_title.format(date=DATE),
                N.card_complete,
                N.saved,
                suggestion_text("peer_consultation", "nl"),  # their own "what helps next"
                *suggestion_buttons("nl"),
            ),
            effects=(CompleteStory, OrderNextStep),  # that answer, to follow up
        ),
    ),
    (
        Command("stories"),
        Expect(
            Step.IDLE,
            says=(N.stories_title,),
            buttons=(
                N.story_line.format(
                    date=DATE, kind=N.kind_story, title="Ik schrijf nu scherpere ambtsberichten."
                ),
            ),
        ),
    ),
]


def check(index: int, outcome: Outcome, expect: Expect) -> None:
    where = f"turn {index}: {outcome}"
    assert outcome.state.step is expect.step, where
    assert outcome.state.question == expect.question, where
    assert tuple(type(e) for e in outcome.effects) == expect.effects, where
    assert outcome.notice == expect.notice, where
    for text in expect.says:
        assert any(text in r.text or text in labels(r) for r in outcome.replies), (text, where)
    if expect.buttons is not None:
        assert tuple(labels(outcome.replies[-1])) == expect.buttons, where


def test_a_whole_interview_in_dutch() -> None:
    person: Person = World().person(language=language_from_telegram("nl-BE"))
    assert person.language == "nl"
    for index, (action, expect) in enumerate(CONVERSATION):
        outcome = person.tap(action.label) if isinstance(action, Tap) else person.send(action)
        check(index, outcome, expect)

    (story,) = person.stories.values()
    assert story.status is StoryStatus.COMPLETE
    saved = {key: (a.text, a.choices, a.skipped) for key, a in story.answers.items()}
    assert saved == {
        "change": ("Ik schrijf nu scherpere ambtsberichten.", (), False),
        "how": (None, ("feedback",), False),
        "who": ("Vooral mijn collega op de post in Rabat", ("experienced_colleague",), False),
        "resources": (None, ("examples_templates",), False),
        "obstacles": (None, ("time_pressure", "self_doubt"), False),
        "helped_most": ("Een collega die zei: vraag het gewoon!", (), False),
        "next_step": (None, ("peer_consultation",), False),
    }
    assert person.state.draft_id is None
    step = person.open_next_step()  # the next check-in asks about it first
    assert step is not None and (step.story_id, step.dish) == (story.id, "")
    assert step.story_choices == ("peer_consultation",)
