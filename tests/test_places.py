"""Finding a person's place and time zone from what they type or share (flows.checkins.places).

The name index is loaded once per test session (about half a second) and shared by all tests.
"""

from __future__ import annotations

import time
import unicodedata
from datetime import UTC, datetime
from zoneinfo import ZoneInfoNotFoundError

import pytest

from flows.checkins.places import (
    Place,
    find_places,
    load_index,
    local_time_text,
    nearest_place,
    place_by_id,
    quick_picks,
    zone_at,
    zone_name,
)

THURSDAY = datetime(2026, 3, 5, 13, 5, tzinfo=UTC)  # winter time in Europe


@pytest.mark.parametrize(
    ("query", "zone"),
    [
        ("Madrid", "Europe/Madrid"),
        ("rabat", "Africa/Casablanca"),
        ("Den Haag", "Europe/Amsterdam"),
        ("'s-Gravenhage", "Europe/Amsterdam"),
        ("The Hague", "Europe/Amsterdam"),
        ("Amsterdam", "Europe/Amsterdam"),
        ("Ulaanbaatar", "Asia/Ulaanbaatar"),
        ("Ulan Bator", "Asia/Ulaanbaatar"),
        ("São Paulo", "America/Sao_Paulo"),
        ("Sao Paulo", "America/Sao_Paulo"),
        ("Washington", "America/New_York"),
        ("New York", "America/New_York"),
        ("Addis Abeba", "Africa/Addis_Ababa"),
        ("Addis Ababa", "Africa/Addis_Ababa"),
        ("Kyiv", "Europe/Kyiv"),
        ("Kiev", "Europe/Kyiv"),
        ("Peking", "Asia/Shanghai"),
        ("Beijing", "Asia/Shanghai"),
        ("Canberra", "Australia/Sydney"),
        ("Kathmandu", "Asia/Kathmandu"),
        ("Valletta", "Europe/Malta"),  # a capital of fewer than 15,000 people
        ("Willemstad", "America/Curacao"),
        ("Ho Chi Minh", "Asia/Ho_Chi_Minh"),
        ("Москва", "Europe/Moscow"),
        ("北京", "Asia/Shanghai"),
    ],
)
def test_a_typed_place_resolves_to_its_zone_first(query: str, zone: str) -> None:
    assert find_places(query)[0].zone == zone


def where(places: list[Place]) -> list[tuple[str, str, str]]:
    return [(place.name, place.country, place.zone) for place in places]


def test_the_largest_place_of_a_name_comes_first_and_the_others_follow() -> None:
    places = find_places("Springfield")
    sizes = [place.population for place in places]
    assert len(places) > 1 and sizes == sorted(sizes, reverse=True)
    assert not any(place.capital for place in places)
    assert where(find_places("Madrid"))[:2] == [
        ("Madrid", "ES", "Europe/Madrid"),
        ("Madrid", "CO", "America/Bogota"),
    ]


@pytest.mark.parametrize(
    ("query", "first", "after"),
    [
        # Chattogram (3.9 million people) was once called Islamabad too
        ("Islamabad", ("Islamabad", "PK", "Asia/Karachi"), ("Chattogram", "BD", "Asia/Dhaka")),
        (
            "Washington",
            ("Washington, D.C.", "US", "America/New_York"),
            ("Washington", "GB", "Europe/London"),
        ),
        # capitals first: San José, Costa Rica before San Jose, California (a million people)
        (
            "San Jose",
            ("San José", "CR", "America/Costa_Rica"),
            ("San Jose", "US", "America/Los_Angeles"),
        ),
        ("Victoria", ("Victoria", "SC", "Indian/Mahe"), ("Hong Kong", "HK", "Asia/Hong_Kong")),
    ],
)
def test_capitals_come_first_then_the_largest(
    query: str, first: tuple[str, str, str], after: tuple[str, str, str]
) -> None:
    places = where(find_places(query))
    assert places[0] == first
    assert after in places[1:]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("Kathmandoo", [("Kathmandu", "NP", "Asia/Kathmandu")]),
        ("Kinshassa", [("Kinshasa", "CD", "Africa/Kinshasa")]),
        ("Ulaanbataar", [("Ulan Bator", "MN", "Asia/Ulaanbaatar")]),
        (
            "Caracus",
            [
                ("Caracas", "VE", "America/Caracas"),
                ("Bahía de Caráquez", "EC", "America/Guayaquil"),
            ],
        ),
        ("Nieuw-Delhi", [("New Delhi", "IN", "Asia/Kolkata"), ("Delhi", "IN", "Asia/Kolkata")]),
    ],
)
def test_misspelled_names_find_the_place_meant(
    query: str, found: list[tuple[str, str, str]]
) -> None:
    assert where(find_places(query)) == found


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("Washinton", ("Washington, D.C.", "US", "America/New_York")),
        ("Islamabaad", ("Islamabad", "PK", "Asia/Karachi")),
    ],
)
def test_a_misspelling_ranks_like_the_name_it_stands_for(
    query: str, first: tuple[str, str, str]
) -> None:
    assert where(find_places(query))[0] == first


def test_a_misspelled_country_comes_first() -> None:
    assert where(find_places("Nederlnd"))[0] == ("Amsterdam", "NL", "Europe/Amsterdam")


@pytest.mark.parametrize("query", ["Qwertyuiop", "Lorem ipsum", "Europe/Amsterdm", "Rabad"])
def test_a_misspelling_needs_to_be_close_and_long_enough(query: str) -> None:
    assert find_places(query) == []


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("Den Haag", "Den Haag"),
        ("'s-Gravenhage", "'s-Gravenhage"),
        ("The Hague", "The Hague"),
        ("Peking", "Peking"),
        ("den haag", "Den Haag"),  # the name as the index writes it
        ("Kathmandoo", "Kathmandu"),  # a misspelling: the place's own name
    ],
)
def test_a_place_keeps_the_name_the_person_used(query: str, name: str) -> None:
    (place,) = find_places(query)
    assert place.name == name
    assert place_by_id(place.id, place.variant) == place  # what its button brings back


def test_an_alternate_name_that_is_another_places_own_name_shows_the_places_own() -> None:
    names = [place.name for place in find_places("Islamabad")]
    assert names[:2] == ["Islamabad", "Chattogram"]  # not "Islamabad" twice


def test_place_by_id_refuses_what_it_does_not_know() -> None:
    assert place_by_id(999_999_999) is None
    hague = find_places("The Hague")[0]
    assert place_by_id(hague.id, 9_999) == hague  # no such name: the place's own


def test_names_match_exactly_never_as_substrings() -> None:
    assert [place.name for place in find_places("Rabat")] == ["Rabat"]  # no Sabirabad
    assert find_places("Madr") == []
    assert find_places("adrid") == []
    assert find_places("Hague")[0].zone == "Europe/Amsterdam"  # an alternate name itself


def test_each_name_and_country_appears_once() -> None:
    for query in ("San Jose", "Springfield", "Victoria", "Washington"):
        places = find_places(query, limit=50)
        pairs = [(place.name, place.country) for place in places]
        assert places and len(pairs) == len(set(pairs))


@pytest.mark.parametrize(
    ("query", "zone"),
    [
        ("MADRID", "Europe/Madrid"),
        ("  madrid  ", "Europe/Madrid"),
        ("ＭＡＤＲＩＤ", "Europe/Madrid"),  # full-width letters
        ("SÃO PAULO", "America/Sao_Paulo"),
        ("sao-paulo", "America/Sao_Paulo"),
        (unicodedata.normalize("NFD", "São Paulo"), "America/Sao_Paulo"),  # as macOS sends it
        ("s Gravenhage", "Europe/Amsterdam"),
        ("'S-GRAVENHAGE", "Europe/Amsterdam"),
        ("’s-Gravenhage", "Europe/Amsterdam"),
        ("den   haag", "Europe/Amsterdam"),
        ("Den Haag 🇳🇱", "Europe/Amsterdam"),
        ("Ulan-Bator", "Asia/Ulaanbaatar"),
        ("Zurich", "Europe/Zurich"),
        ("Zürich", "Europe/Zurich"),
        ("Tromso", "Europe/Oslo"),
        ("Ndjamena", "Africa/Ndjamena"),
        ("N’Djamena", "Africa/Ndjamena"),
        ("Nukualofa", "Pacific/Tongatapu"),
    ],
)
def test_case_accents_apostrophes_and_punctuation_do_not_matter(query: str, zone: str) -> None:
    assert find_places(query)[0].zone == zone


@pytest.mark.parametrize(
    ("query", "name", "zone"),
    [
        ("Europe/Amsterdam", "Amsterdam", "Europe/Amsterdam"),
        ("europe/amsterdam", "Amsterdam", "Europe/Amsterdam"),
        ("America/Sao Paulo", "Sao Paulo", "America/Sao_Paulo"),
        ("America/Argentina/Buenos_Aires", "Buenos Aires", "America/Argentina/Buenos_Aires"),
        ("UTC", "UTC", "UTC"),  # not Utrecht, whose airport code is UTC
        ("utc", "UTC", "UTC"),
        ("Etc/UTC", "Etc/UTC", "Etc/UTC"),
        ("Rarotonga", "Rarotonga", "Pacific/Rarotonga"),  # a zone's city part, no city of 15,000
    ],
)
def test_iana_zone_names_are_accepted(query: str, name: str, zone: str) -> None:
    place = find_places(query)[0]
    assert (place.name, place.zone) == (name, zone)
    assert len(find_places(query)) == 1


def test_abbreviations_that_are_not_what_people_mean_are_not_zones() -> None:
    assert find_places("EST") == []  # IANA "EST" is -05:00 all year


@pytest.mark.parametrize(
    ("query", "first", "zones"),
    [
        ("Netherlands", "Amsterdam", {"Europe/Amsterdam"}),
        ("The Netherlands", "Amsterdam", {"Europe/Amsterdam"}),
        ("Nederland", "Amsterdam", {"Europe/Amsterdam"}),  # not Nederland, Texas
        ("Malta", "Valletta", {"Europe/Malta"}),
        ("Spanje", "Madrid", {"Europe/Madrid", "Atlantic/Canary", "Africa/Ceuta"}),
        ("Georgia", "Tbilisi", {"Asia/Tbilisi", "Europe/Moscow"}),
        ("Congo", "Kinshasa", {"Africa/Kinshasa", "Africa/Brazzaville"}),  # both Congos
        ("DRC", "Kinshasa", {"Africa/Kinshasa", "Africa/Lubumbashi"}),
        ("Verenigde Staten", "Washington, D.C.", {"America/New_York", "America/Los_Angeles"}),
    ],
)
def test_a_country_gives_a_place_in_each_of_its_zones(
    query: str, first: str, zones: set[str]
) -> None:
    places = find_places(query)
    assert places[0].name == first
    assert zones <= {place.zone for place in places}


@pytest.mark.parametrize(
    ("query", "zone"),
    [
        ("San José, Costa Rica", "America/Costa_Rica"),
        ("San Jose, CR", "America/Costa_Rica"),
        ("Madrid, Colombia", "America/Bogota"),
        ("Victoria, Seychelles", "Indian/Mahe"),
        ("Kinshasa, DRC", "Africa/Kinshasa"),
        ("Kinshasa, Congo", "Africa/Kinshasa"),
        ("Kinshassa, DR Congo", "Africa/Kinshasa"),  # misspelled, with a country
        ("Den Haag Nederland", "Europe/Amsterdam"),  # without a comma
        ("Washington, UK", "Europe/London"),
    ],
)
def test_a_country_after_a_comma_narrows_the_places(query: str, zone: str) -> None:
    assert [place.zone for place in find_places(query)] == [zone]


def test_a_country_that_is_not_there_narrows_to_nothing() -> None:
    assert find_places("Kinshasa, Nederland") == []


@pytest.mark.parametrize(
    "query",
    [
        "Xyzzyville",
        "Madrid, Xyzzyland",
        "",
        "   ",
        "\n\t",
        "🙂",
        "🙂🙂🙂 🌍",
        "!!!---'''",
        "\x00",
        "x" * 4096,
        "Madrid " * 600,
        "/",
        "Europe/",
    ],
)
def test_nonsense_finds_nothing_without_error(query: str) -> None:
    assert find_places(query) == []


def test_limit() -> None:
    assert len(find_places("San Jose", limit=1)) == 1
    assert len(find_places("San Jose", limit=3)) == 3
    assert find_places("Madrid", limit=0) == []


def test_quick_picks_resolve_the_callers_names_and_skip_unknown_ones() -> None:
    names = ("Den Haag", "Brussels", "London", "New York", "Washington", "Nairobi", "Beijing")
    picks = quick_picks((*names, "Xyzzyville", "Jakarta"))
    assert [place.name for place in picks][:2] == ["Den Haag", "Brussels"]
    assert [place.zone for place in picks] == [
        "Europe/Amsterdam",
        "Europe/Brussels",
        "Europe/London",
        "America/New_York",
        "America/New_York",
        "Africa/Nairobi",
        "Asia/Shanghai",
        "Asia/Jakarta",
    ]


def test_lookups_after_the_first_are_fast() -> None:
    load_index()
    started = time.perf_counter()
    for _ in range(1000):
        find_places("'s-Gravenhage")
        find_places("São Paulo")
    assert time.perf_counter() - started < 1.0  # measured: a few microseconds each


def test_misspellings_are_found_in_good_time() -> None:
    load_index()
    started = time.perf_counter()
    for _ in range(10):
        find_places("Kathmandoo")
    assert time.perf_counter() - started < 2.0  # measured: about 12 ms each


@pytest.mark.parametrize(
    ("latitude", "longitude", "zone"),
    [
        (40.4168, -3.7038, "Europe/Madrid"),
        (47.8864, 106.9057, "Asia/Ulaanbaatar"),
        (27.7172, 85.3240, "Asia/Kathmandu"),
        (-43.95, -176.55, "Pacific/Chatham"),
        (52.0799, 4.3113, "Europe/Amsterdam"),
    ],
)
def test_a_shared_location_gives_its_zone(latitude: float, longitude: float, zone: str) -> None:
    assert zone_at(latitude, longitude) == zone


@pytest.mark.parametrize(
    ("latitude", "longitude", "zone", "name"),
    [
        (33.7, 73.05, "Asia/Karachi", "Islamabad"),  # not Karachi, whose zone it is
        (52.0799, 4.3113, "Europe/Amsterdam", "The Hague"),
        (-4.32, 15.31, "Africa/Kinshasa", "Kinshasa"),
        (64.0, -150.0, "America/Anchorage", None),  # no city within 100 km
    ],
)
def test_a_shared_location_is_named_after_its_nearest_city(
    latitude: float, longitude: float, zone: str, name: str | None
) -> None:
    place = nearest_place(latitude, longitude, zone)
    assert (place.name if place else None) == name


@pytest.mark.parametrize(
    ("zone", "name"),
    [
        ("Asia/Karachi", "Karachi"),
        ("America/Argentina/Buenos_Aires", "Buenos Aires"),
        ("UTC", "UTC"),
        ("Etc/GMT+3", "Etc/GMT+3"),
    ],
)
def test_a_zone_said_as_a_place(zone: str, name: str) -> None:
    assert zone_name(zone) == name


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [
        (35.0, -40.0),  # the middle of the Atlantic
        (0.0, 0.0),
        (91.0, 0.0),
        (0.0, 181.0),
        (float("nan"), 0.0),
        (0.0, float("inf")),
    ],
)
def test_the_open_sea_and_impossible_locations_give_none(latitude: float, longitude: float) -> None:
    assert zone_at(latitude, longitude) is None


@pytest.mark.parametrize(
    ("zone", "now", "language", "text"),
    [
        ("Europe/Madrid", THURSDAY, "en", "14:05, Thursday"),
        ("Europe/Madrid", THURSDAY, "nl", "14:05, donderdag"),
        ("Asia/Kathmandu", THURSDAY, "en", "18:50, Thursday"),
        ("Pacific/Chatham", THURSDAY, "nl", "02:50, vrijdag"),  # +13:45, the next day
        ("America/Sao_Paulo", THURSDAY, "en", "10:05, Thursday"),
        ("Europe/Madrid", datetime(2026, 7, 2, 13, 5, tzinfo=UTC), "nl", "15:05, donderdag"),
        ("UTC", THURSDAY, "en", "13:05, Thursday"),
    ],
)
def test_local_time_text(zone: str, now: datetime, language: str, text: str) -> None:
    assert local_time_text(zone, now, language) == text


def test_local_time_text_refuses_a_naive_time_and_an_unknown_zone() -> None:
    with pytest.raises(ValueError, match="aware"):
        local_time_text("Europe/Madrid", datetime(2026, 3, 5, 13, 5), "en")
    with pytest.raises(ZoneInfoNotFoundError):
        local_time_text("Mars/Olympus_Mons", THURSDAY, "en")
