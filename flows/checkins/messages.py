"""How check-in settings and checkins look: menus, pickers, places and local dates."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from flows.callbacks import Action, encode, encode_id
from flows.checkins.places import Place, local_time_text, zone_name
from flows.checkins.schedule import (
    CheckinRule,
    Rhythm,
    allowed_hours,
    paused_for_good,
    snooze_later_today,
    snooze_tomorrow,
)
from flows.content.guide import Guide
from flows.dates import clock, day_text, moment, weekday_name
from flows.replies import Button, Reply
from flows.views import CheckinView

RHYTHMS = (Rhythm.WEEKLY, Rhythm.BIWEEKLY, Rhythm.MONTHLY, Rhythm.OFF)
WEEKENDS: tuple[frozenset[int], ...] = (
    frozenset({5, 6}),
    frozenset({4, 5}),
    frozenset({4}),
    frozenset({5}),
    frozenset({6}),
    frozenset(),
)


def times() -> tuple[time, ...]:
    """The whole hours within the allowed hours, for the time page's buttons."""
    hours = allowed_hours()
    first = hours.start.hour + (hours.start != time(hours.start.hour))
    return tuple(time(hour) for hour in range(first, hours.end.hour + 1))


def rhythm_name(guide: Guide, rhythm: Rhythm) -> str:
    """'every two weeks' and the like, in the guide's language."""
    return str(getattr(guide.settings, f"rhythm_{rhythm.value}"))


def weekend_name(guide: Guide, days: frozenset[int]) -> str:
    """'Sat–Sun', 'Fri', or 'no fixed weekend'."""
    if not days:
        return guide.settings.weekend_none
    return "–".join(weekday_name(d, guide.language, "abbreviated") for d in sorted(days))


def when(at: datetime | None, zone: str, language: str, now: datetime | None = None) -> str:
    """A future instant in the person's own time and language."""
    return "—" if at is None else moment(at, zone, language, now)


def place_name(rule: CheckinRule) -> str:
    """Where the person is, as they named it, or their zone said as a place."""
    return rule.place or zone_name(rule.zone)


def place_data(place: Place) -> str:
    """A button's data that chooses this place (a city, or a zone without one)."""
    if place.id:
        return encode(Action.SET_PLACE, encode_id(place.id), str(place.variant))
    return encode(Action.SET_ZONE, place.zone)


def place_choices(prompt: str, places: list[Place], now: datetime) -> Reply:
    """A prompt with one button per place, named with its local time: 'Den Haag · 10:00'.

    Places of the same name also show their country: 'Washington, GB · 15:00'.
    """
    names = [place.name for place in places]
    buttons = []
    for place in places:
        shown = place.name
        if names.count(place.name) > 1 and place.country:
            shown = f"{place.name}, {place.country}"
        buttons.append(Button(f"{shown} · {clock(now, place.zone)}", place_data(place)))
    return Reply(prompt, _rows(buttons, 2))


def weekend_note(guide: Guide, rule: CheckinRule) -> str:
    """Why check-ins fall on another day than the chosen one, or ''."""
    if rule.weekday == rule.slot_weekday:
        return ""
    note = guide.settings.weekend_day.format(
        day=weekday_name(rule.weekday, guide.language),
        slot=weekday_name(rule.slot_weekday, guide.language),
    )
    return note[:1].upper() + note[1:]  # "zaterdag valt …" begins a sentence


def _overview(guide: Guide, checkin: CheckinView, now: datetime | None) -> dict[str, str]:
    """The settings in words; ``now`` None: as a lasting record, with whole dates and no
    mention of the present (for /export)."""
    texts, rule = guide.settings, checkin.rule
    today = now.astimezone(rule.tz).date() if now is not None else None
    paused = ""
    if paused_for_good(rule):
        paused = "\n" + texts.paused_open
    elif rule.paused_until and (today is None or rule.paused_until >= today):
        paused = texts.paused_line.format(date=day_text(rule.paused_until, guide.language, today))
    note = weekend_note(guide, rule)
    return {
        "place": place_name(rule),
        "rhythm": rhythm_name(guide, rule.rhythm),
        "weekday": weekday_name(rule.weekday, guide.language),
        "time": clock(rule.at),
        "day_note": f"\n{note}" if note else "",
        "weekend": weekend_name(guide, rule.weekend),
        "paused": paused,
        "next": when(checkin.next_at, rule.zone, guide.language, now),
    }


def summary(guide: Guide, checkin: CheckinView) -> str:
    """The settings as /export writes them: no "it is 03:45 there now", whole dates."""
    return guide.settings.summary.format(zone=checkin.rule.zone, **_overview(guide, checkin, None))


def menu(guide: Guide, checkin: CheckinView, now: datetime, *, edit: bool = False) -> Reply:
    """The settings overview with a button for each thing to change."""
    texts, rule = guide.settings, checkin.rule
    local_time = local_time_text(rule.zone, now, guide.language)
    text = texts.menu.format(local_time=local_time, **_overview(guide, checkin, now))
    page = Action.SETTINGS_PAGE
    buttons = (
        (
            Button(texts.zone_button, encode(page, "zone")),
            Button(texts.rhythm_button, encode(page, "rhythm")),
        ),
        (
            Button(texts.day_button, encode(page, "day")),
            Button(texts.time_button, encode(page, "time")),
        ),
        (
            Button(texts.weekend_button, encode(page, "weekend")),
            Button(texts.close_button, encode(Action.CLOSE_SETTINGS)),
        ),
    )
    return Reply(text, buttons, edit=edit)


def _rows(buttons: list[Button], per_row: int) -> tuple[tuple[Button, ...], ...]:
    return tuple(tuple(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row))


def page(guide: Guide, name: str) -> Reply:
    """One settings page but the place's: a prompt and its choices."""
    texts, language = guide.settings, guide.language
    if name == "rhythm":
        options = [
            Button(rhythm_name(guide, r), encode(Action.SET_RHYTHM, r.value)) for r in RHYTHMS
        ]
        return Reply(texts.rhythm_prompt, _rows(options, 2), edit=True)
    if name == "day":
        days = [
            Button(weekday_name(d, language), encode(Action.SET_WEEKDAY, str(d))) for d in range(7)
        ]
        return Reply(texts.day_prompt, _rows(days, 2), edit=True)
    if name == "time":
        hours = allowed_hours()
        buttons = [Button(clock(t), encode(Action.SET_TIME, f"{t:%H%M}")) for t in times()]
        prompt = texts.time_prompt.format(earliest=clock(hours.start), latest=clock(hours.end))
        return Reply(prompt, _rows(buttons, 4), edit=True)
    if name == "weekend":
        weekends = [
            Button(
                weekend_name(guide, w),
                encode(Action.SET_WEEKEND, "".join(map(str, sorted(w))) or "-"),
            )
            for w in WEEKENDS
        ]
        return Reply(texts.weekend_prompt, _rows(weekends, 2), edit=True)
    raise ValueError(f"no settings page {name!r}")


PAGES = frozenset({"zone", "rhythm", "day", "time", "weekend"})


def _days_ahead(at: datetime, now: datetime, tz: ZoneInfo) -> int:
    """Local calendar days from ``now`` to ``at``."""
    return (at.astimezone(tz).date() - now.astimezone(tz).date()).days


def _day(at: datetime, now: datetime, tz: ZoneInfo, language: str) -> str:
    """'Monday' within the coming week, 'Monday 16 March' further off."""
    local, today = at.astimezone(tz).date(), now.astimezone(tz).date()
    if _days_ahead(at, now, tz) < 7:
        return weekday_name(local.weekday(), language)
    return day_text(local, language, today)


def snooze_moment(guide: Guide, at: datetime, now: datetime, zone: str) -> str:
    """When a snoozed check-in comes, in the person's time and language: 'later today at
    15:00', 'tomorrow at 10:00', 'on Monday at 10:00'."""
    texts, tz = guide.checkin.texts, ZoneInfo(zone)
    at_time = clock(at, zone)
    days = _days_ahead(at, now, tz)
    if days <= 0:
        return texts.when_later_today.format(time=at_time)
    if days == 1:
        return texts.when_tomorrow.format(time=at_time)
    return texts.when_day.format(day=_day(at, now, tz, guide.language), time=at_time)


def next_day_label(guide: Guide, at: datetime, now: datetime, zone: str) -> str:
    """The button for the next allowed day: 'Tomorrow', or its name ('Monday') after a weekend."""
    tz = ZoneInfo(zone)
    days = _days_ahead(at, now, tz)
    if days <= 1:
        return guide.checkin.texts.tomorrow
    name = _day(at, now, tz, guide.language)
    return name[:1].upper() + name[1:]


def checkin_buttons(
    guide: Guide, stamp: str, rule: CheckinRule, now: datetime
) -> tuple[tuple[Button, ...], ...]:
    """Later today (only while today has allowed time for it), the next allowed day, or skip."""
    texts = guide.checkin.texts
    next_day = next_day_label(guide, snooze_tomorrow(rule, now), now, rule.zone)
    snooze = [Button(next_day, encode(Action.SNOOZE_TOMORROW, stamp))]
    if snooze_later_today(rule, now) is not None:
        snooze.insert(0, Button(texts.later_today, encode(Action.SNOOZE_TODAY, stamp)))
    return (tuple(snooze), (Button(texts.skip_checkin, encode(Action.SKIP_CHECKIN, stamp)),))
