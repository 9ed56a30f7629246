"""How check-in settings and nudges look: menus, pickers and local dates (Babel)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Literal
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time, get_day_names

from flows.callbacks import Action, encode
from flows.guide import Guide
from flows.places import local_time_text
from flows.replies import Button, Reply
from flows.schedule import (
    DAY_END,
    DAY_START,
    NudgeRule,
    Rhythm,
    paused_for_good,
    snooze_later_today,
    snooze_tomorrow,
)
from flows.views import NudgeView

RHYTHMS = (Rhythm.WEEKLY, Rhythm.BIWEEKLY, Rhythm.MONTHLY, Rhythm.OFF)
WEEKENDS: tuple[frozenset[int], ...] = (
    frozenset({5, 6}),
    frozenset({4, 5}),
    frozenset({4}),
    frozenset({6}),
    frozenset(),
)
TIMES = tuple(time(hour) for hour in range(DAY_START.hour, DAY_END.hour + 1))


def rhythm_name(guide: Guide, rhythm: Rhythm) -> str:
    """'every two weeks' and the like, in the guide's language."""
    return str(getattr(guide.settings, f"rhythm_{rhythm.value}"))


def day_name(day: int, language: str, width: Literal["abbreviated", "wide"] = "wide") -> str:
    """The name of a weekday (0 = Monday)."""
    return str(get_day_names(width, locale=language)[day])


def weekend_name(guide: Guide, days: frozenset[int]) -> str:
    """'Sat–Sun', 'Fri', or 'no fixed weekend'."""
    if not days:
        return guide.settings.weekend_none
    return "–".join(day_name(d, guide.language, "abbreviated") for d in sorted(days))


def when(at: datetime | None, zone: str, language: str) -> str:
    """A future instant in the person's own time and language."""
    if at is None:
        return "—"
    return str(format_datetime(at, "EEEE d MMMM, HH:mm", tzinfo=ZoneInfo(zone), locale=language))


def long_date(day: date, language: str) -> str:
    """A date spelled out in the person's language."""
    return str(format_date(day, "long", locale=language))


def menu(guide: Guide, nudge: NudgeView, now: datetime, *, edit: bool = False) -> Reply:
    """The settings overview with a button for each thing to change."""
    texts, rule = guide.settings, nudge.rule
    paused = ""
    if paused_for_good(rule):
        paused = "\n" + texts.paused_open
    elif rule.paused_until and rule.paused_until >= now.astimezone(rule.tz).date():
        paused = texts.paused_line.format(date=long_date(rule.paused_until, guide.language))
    text = texts.menu.format(
        zone=rule.zone,
        local_time=local_time_text(rule.zone, now, guide.language),
        rhythm=rhythm_name(guide, rule.rhythm),
        weekday=day_name(rule.weekday, guide.language),
        time=rule.at.strftime("%H:%M"),
        weekend=weekend_name(guide, rule.weekend),
        paused=paused,
        next=when(nudge.next_at, rule.zone, guide.language),
    )
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


def page(guide: Guide, name: str, rule: NudgeRule | None, zones: list[tuple[str, str]]) -> Reply:
    """One settings page: a prompt and its choices (``zones``: label, zone pairs)."""
    texts, language = guide.settings, guide.language
    if name == "rhythm":
        options = [
            Button(rhythm_name(guide, r), encode(Action.SET_RHYTHM, r.value)) for r in RHYTHMS
        ]
        return Reply(texts.rhythm_prompt, _rows(options, 2), edit=True)
    if name == "day":
        days = [Button(day_name(d, language), encode(Action.SET_WEEKDAY, str(d))) for d in range(7)]
        return Reply(texts.day_prompt, _rows(days, 2), edit=True)
    if name == "time":
        times = [
            Button(t.strftime("%H:%M"), encode(Action.SET_TIME, t.strftime("%H%M"))) for t in TIMES
        ]
        return Reply(texts.time_prompt, _rows(times, 4), edit=True)
    if name == "weekend":
        weekends = [
            Button(
                weekend_name(guide, w),
                encode(Action.SET_WEEKEND, "".join(map(str, sorted(w))) or "-"),
            )
            for w in WEEKENDS
        ]
        return Reply(texts.weekend_prompt, _rows(weekends, 2), edit=True)
    if name == "zone":
        return zone_choices(texts.zone_prompt, zones)
    raise ValueError(f"no settings page {name!r}")


PAGES = frozenset({"zone", "rhythm", "day", "time", "weekend"})


def zone_choices(prompt: str, zones: list[tuple[str, str]]) -> Reply:
    """A prompt with one button per candidate time zone."""
    buttons = [Button(label, encode(Action.SET_ZONE, zone)) for label, zone in zones]
    return Reply(prompt, _rows(buttons, 2))


def _days_ahead(at: datetime, now: datetime, tz: ZoneInfo) -> int:
    """Local calendar days from ``now`` to ``at``."""
    return (at.astimezone(tz).date() - now.astimezone(tz).date()).days


def _day(at: datetime, days: int, tz: ZoneInfo, language: str) -> str:
    """'Monday' within the coming week, 'Monday 16 March' further off."""
    pattern = "EEEE" if days < 7 else "EEEE d MMMM"
    return str(format_datetime(at, pattern, tzinfo=tz, locale=language))


def snooze_moment(guide: Guide, at: datetime, now: datetime, zone: str) -> str:
    """When a snoozed check-in comes, in the person's time and language: 'later today at
    15:00', 'tomorrow at 10:00', 'on Monday at 10:00'."""
    texts, tz = guide.checkin.texts, ZoneInfo(zone)
    clock = str(format_time(at, "HH:mm", tzinfo=tz, locale=guide.language))
    days = _days_ahead(at, now, tz)
    if days <= 0:
        return texts.when_later_today.format(time=clock)
    if days == 1:
        return texts.when_tomorrow.format(time=clock)
    return texts.when_day.format(day=_day(at, days, tz, guide.language), time=clock)


def next_day_label(guide: Guide, at: datetime, now: datetime, zone: str) -> str:
    """The button for the next allowed day: 'Tomorrow', or its name ('Monday') after a weekend."""
    tz = ZoneInfo(zone)
    days = _days_ahead(at, now, tz)
    if days <= 1:
        return guide.checkin.texts.tomorrow
    name = _day(at, days, tz, guide.language)
    return name[:1].upper() + name[1:]


def nudge_buttons(
    guide: Guide, stamp: str, rule: NudgeRule, now: datetime
) -> tuple[tuple[Button, ...], ...]:
    """Later today (only while today has allowed time for it), the next allowed day, or skip."""
    texts = guide.checkin.texts
    next_day = next_day_label(guide, snooze_tomorrow(rule, now), now, rule.zone)
    snooze = [Button(next_day, encode(Action.SNOOZE_TOMORROW, stamp))]
    if snooze_later_today(rule, now) is not None:
        snooze.insert(0, Button(texts.later_today, encode(Action.SNOOZE_TODAY, stamp)))
    return (tuple(snooze), (Button(texts.skip_nudge, encode(Action.SKIP_NUDGE, stamp)),))
