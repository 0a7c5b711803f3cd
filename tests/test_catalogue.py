"""The catalogue is data: 13 courses, 8 Yorkshire venues, validated with errors naming the entry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.catalogue.specs import load_catalogue
from core.infra.errors import CatalogueError
from core.infra.resources import resource


def test_shipped_catalogue_has_thirteen_courses_and_eight_venues() -> None:
    cat = load_catalogue()
    assert len(cat.courses) == 13 and len(cat.venues) == 8
    faw = cat.course("faw")
    assert (faw.contact_hours, faw.days, faw.certificate_months) == (18, 3, 36)
    assert cat.course("annual-refresher").certificate_months == 12
    assert {v.name for v in cat.venues} >= {"Leeds", "Sheffield", "York", "Hull"}


def _broken(tmp_path: Path, mutate: object) -> Path:
    raw = json.loads(resource("catalogue.json").read_text())
    mutate(raw)  # type: ignore[operator]
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(raw))
    return path


@pytest.mark.parametrize(
    "mutate, named",
    [
        (lambda raw: raw["courses"][1].update(price_pence=-5), "course 'faw' field 'price_pence'"),
        (lambda raw: raw["courses"][0].pop("min_age"), "course 'efaw' field 'min_age'"),
        (lambda raw: raw["venues"][2].update(postcode="nowhere"), "venue 'bradford'"),
        (lambda raw: raw["courses"][3].update(requalification="ghost"), "unknown course 'ghost'"),
        (lambda raw: raw["courses"][4].update(day_hours=[1]), "course 'paediatric'"),
    ],
)
def test_broken_entry_is_named(tmp_path: Path, mutate: object, named: str) -> None:
    with pytest.raises(CatalogueError) as err:
        load_catalogue(_broken(tmp_path, mutate))
    assert named in err.value.message


def test_file_that_is_not_json_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.json"
    path.write_text("{ not json")
    with pytest.raises(CatalogueError, match="not valid JSON"):
        load_catalogue(path)
