"""An in-memory runner for the whole conversation (``flows.dialogue``), for tests.

It extends ``flow_harness`` the way ``bot.engine.conversation.Conversations`` extends the
interview: every event goes through ``dialogue.needs`` and ``dialogue.step``, the view
carries the person's ``CheckinView``, and the schedule effects are applied the way
``storage.effects`` does (by ``storage.checkin_store.Checkins``):

- ``SaveCheckinRule``: new rule and next check-in, ``unanswered`` back to 0 (``last_at`` kept);
- ``SetNextCheckin``: only the next check-in moves (ignored without a schedule);
- ``PersonActive``: ``unanswered`` back to 0 (ignored without a schedule), and the view's
  ``last_active`` from then on says when (like ``Person.updated_at``).

``mark_sent`` does what the dispatcher does after a check-in went out, and ``due`` plays one
dispatcher round: decide a ``CheckinDue``, and mark it sent when it produced a message.

The clock stands still unless a test moves it (``world.now = ...`` or ``world.advance``),
so that expected instants can be computed from the same ``now`` the flow saw.

After every step the harness checks Telegram's limits (``flow_harness.check_limits``) and
that a person's own events, and only those, mark them as active.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from flows import dialogue
from flows.callbacks import Action, decode, decode_id, encode
from flows.checkins.due import stamp
from flows.checkins.places import Place, place_by_id, zone_name
from flows.checkins.schedule import CheckinRule, next_checkin_at
from flows.content.guide import guide_for
from flows.events import CheckinDue, Event, Location
from flows.replies import Button, Outcome, PersonActive, Reply, SaveCheckinRule, SetNextCheckin
from flows.states import Step, StoryKind
from flows.views import CheckinView
from tests.support.flow_harness import Engine, Person, World
from tests.support.outcomes import all_buttons

# A Monday, 10:00 in Amsterdam (CET): inside the allowed hours, not on a weekend.
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
AMSTERDAM = "Europe/Amsterdam"
RULE = CheckinRule(AMSTERDAM)  # the default check-in settings
# the zones of the quick picks on the zone page, in order
QUICK_PICK_ZONES = [
    "Europe/Amsterdam",
    "Europe/Brussels",
    "Europe/London",
    "America/New_York",
    "Africa/Nairobi",
    "Asia/Shanghai",
]


@dataclass
class CheckinWorld(World):
    """A world whose clock only moves when a test moves it (``tick_by`` per event)."""

    now: datetime = MONDAY
    tick_by: timedelta = timedelta(0)

    def person(self, person_id: int = 1, language: str = "en") -> CheckinPerson:
        return CheckinPerson(self, person_id, language)

    def tick(self) -> datetime:
        self.now += self.tick_by
        return self.now

    def advance(self, **delta: float) -> datetime:
        """Move the clock on by ``timedelta(**delta)``."""
        self.now += timedelta(**delta)
        return self.now


@dataclass
class CheckinPerson(Person):
    """A person talking to the whole dialogue, with check-in settings like storage keeps."""

    checkin: CheckinView | None = None
    outcomes: list[Outcome] = field(default_factory=list)
    on_delivery: list[SaveCheckinRule] = field(default_factory=list)  # until mark_sent
    last_active: datetime | None = None  # when the person last wrote or tapped

    # --- the runner ---------------------------------------------------------------------

    engine: ClassVar[Engine] = dialogue

    def _view_extras(self) -> dict[str, Any]:
        """The check-in settings and when the person last acted, which the runner always loads."""
        return {"checkin": self.checkin, "last_active": self.last_active}

    def _stepped(self, event: Event, outcome: Outcome) -> None:
        """Only the person's own events mark them as active; keep every outcome."""
        active = [e for e in outcome.effects if isinstance(e, PersonActive)]
        if isinstance(event, CheckinDue):
            assert not active, "a due checkin is not the person being active"
        else:
            assert len(active) == 1, f"a person's event must mark them active: {outcome.effects}"
        self.outcomes.append(outcome)

    def _apply(self, effect: object, now: datetime) -> None:
        match effect:
            case SaveCheckinRule() if effect.on_delivery:
                self.on_delivery.append(replace(effect, on_delivery=False))
            case SaveCheckinRule():
                last = self.checkin.last_at if self.checkin else None
                self.checkin = CheckinView(effect.rule, effect.next_at, last, 0)
            case SetNextCheckin():
                if self.checkin is not None:
                    self.checkin = replace(self.checkin, next_at=effect.at)
            case PersonActive():
                self.last_active = now
                if self.checkin is not None:
                    self.checkin = replace(self.checkin, unanswered=0)
            case _:
                super()._apply(effect, now)

    def _title_question(self, kind: StoryKind) -> str:
        """The opening question of each kind, like ``Stories.headers``."""
        return guide_for(self.language).questionnaire(kind).opening.key

    # --- the dispatcher -----------------------------------------------------------------

    def mark_sent(self, at: datetime | None = None) -> None:
        """The check-in went out: what waited for it, then count it and plan the next one
        (``Checkins.delivered`` and ``Checkins.mark_sent``)."""
        for effect in self.on_delivery:
            self._apply(effect, self.world.now)
        self.on_delivery.clear()
        assert self.checkin is not None
        now = self.world.now if at is None else at
        self.checkin = replace(
            self.checkin,
            last_at=now,
            unanswered=self.checkin.unanswered + 1,
            next_at=next_checkin_at(self.checkin.rule, now=now, last_checkin=now),
        )

    def due(self) -> Outcome:
        """One dispatcher round: decide a due checkin, and mark it sent if it said something."""
        outcome = self.send(CheckinDue())
        if outcome.replies:
            self.mark_sent()
        return outcome

    def due_at_next(self) -> Outcome:
        """Move the clock to the planned check-in and run the dispatcher."""
        assert self.checkin is not None and self.checkin.next_at is not None
        self.world.now = self.checkin.next_at
        return self.due()

    # --- what the person does -----------------------------------------------------------

    def share_location(self, latitude: float, longitude: float) -> Outcome:
        return self.send(Location(latitude, longitude))

    def set_schedule(self, rule: CheckinRule, last_at: datetime | None = None) -> CheckinView:
        """Check-in settings as if stored earlier, with their next check-in."""
        next_at = next_checkin_at(rule, now=self.world.now, last_checkin=last_at)
        self.checkin = CheckinView(rule, next_at, last_at, 0)
        return self.checkin

    def set_up(self, zone: str = AMSTERDAM) -> Outcome:
        """/settings and tap the zone: the default schedule in that zone."""
        self.command("settings")
        return self.press(zone_button(self.last_outcome, zone).data)

    @property
    def last_outcome(self) -> Outcome:
        assert self.last is not None
        return self.last


def wall(zone: str, day: date, hour: int, minute: int = 0) -> datetime:
    """A wall time in ``zone`` as an aware UTC instant."""
    return datetime.combine(day, time(hour, minute), ZoneInfo(zone)).astimezone(UTC)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    """An Amsterdam wall time as an aware UTC instant."""
    return wall(AMSTERDAM, day, hour, minute)


def chosen_place(button: Button) -> Place | None:
    """The place a button chooses (a city, or a zone without one), or None."""
    pressed = decode(button.data)
    if pressed is None:
        return None
    if pressed.action is Action.SET_ZONE:
        return Place(zone_name(pressed.args[0]), "", pressed.args[0])
    if pressed.action is Action.SET_PLACE:
        city_id = decode_id(pressed.args[0])
        assert city_id is not None
        return place_by_id(city_id, int(pressed.args[1]))
    return None


def zone_button(outcome: Outcome, zone: str) -> Button:
    """The button that picks this time zone."""
    found = [b for b in all_buttons(outcome) if (p := chosen_place(b)) and p.zone == zone]
    assert len(found) == 1, f"no single button for {zone}: {all_buttons(outcome)}"
    return found[0]


def zones_offered(outcome: Outcome) -> list[str]:
    """The time zones offered by the buttons, in order."""
    return [p.zone for b in all_buttons(outcome) if (p := chosen_place(b)) is not None]


def only_active(outcome: Outcome) -> bool:
    """True when the only effect is marking the person as active."""
    return outcome.effects == (PersonActive(),)


def schedule_effects(outcome: Outcome) -> list[SaveCheckinRule | SetNextCheckin]:
    """The outcome's effects that touch the schedule."""
    return [e for e in outcome.effects if isinstance(e, SaveCheckinRule | SetNextCheckin)]


def saved_rule(outcome: Outcome) -> SaveCheckinRule:
    """The one schedule effect of an outcome, which saves settings."""
    (effect,) = schedule_effects(outcome)
    assert isinstance(effect, SaveCheckinRule), effect
    return effect


def menu_labels(language: str = "en") -> list[str]:
    """The buttons of the settings menu, in order."""
    texts = guide_for(language).settings
    return [
        texts.zone_button,
        texts.rhythm_button,
        texts.day_button,
        texts.time_button,
        texts.weekend_button,
        texts.close_button,
    ]


def checkin_prompts(language: str = "en") -> tuple[str, ...]:
    """Every way the check-in's opening question can be asked."""
    opening = guide_for(language).questionnaire(StoryKind.CHECKIN).opening
    return (opening.prompt, *opening.variants)


def checkin_question(reply: Reply) -> str:
    """The question a check-in asks: the part before the hint to type the answer."""
    return reply.text.split("\n\n")[-2]


def assert_checkin(
    outcome: Outcome,
    now: datetime,
    language: str = "en",
    *,
    later_today: bool = True,
    next_day: str | None = None,
) -> Reply:
    """A check-in: CHECKIN_ASKED, one new message that greets (or says it is a reminder), asks a
    prompt and says to just type the answer; its buttons stamped ``now``: later today
    (unless ``later_today`` is False), the next day ("Tomorrow" unless ``next_day`` names
    it) and skip."""
    texts = guide_for(language).checkin.texts
    assert outcome.state.step is Step.CHECKIN_ASKED
    (reply,) = outcome.replies
    parts = reply.text.split("\n\n")
    assert parts[0] in (texts.checkin_greeting, texts.reminder)
    assert parts[-1] == texts.checkin_hint
    assert checkin_question(reply) in checkin_prompts(language)
    assert not reply.edit
    today = [texts.later_today] if later_today else []
    assert [[b.label for b in row] for row in reply.buttons] == [
        [*today, next_day or texts.tomorrow],
        [texts.skip_checkin],
    ]
    mark = stamp(now)
    actions = [Action.SNOOZE_TODAY] if later_today else []
    assert [b.data for row in reply.buttons for b in row] == [
        encode(action, mark) for action in (*actions, Action.SNOOZE_TOMORROW, Action.SKIP_CHECKIN)
    ]
    return reply
