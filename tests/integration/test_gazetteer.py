"""The shipped gazetteer: complete, searchable the Czech way, with distances."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from agency.errors import NotFound
from agency.models import Municipality
from agency.reference import GAZETTEER_ATTRIBUTION, GAZETTEER_CSV
from agency.services import gazetteer

PLZEN, PRAHA, ROKYCANY = 554791, 554782, 559717


def test_counts_match_the_sources(session: Session) -> None:
    row = session.execute(
        sa.select(
            sa.func.count(),
            sa.func.count(sa.distinct(Municipality.orp_code)),
            sa.func.count(sa.distinct(Municipality.kraj_code)),
            sa.func.count(sa.distinct(Municipality.okres_code)),
            sa.func.sum(Municipality.population),
        )
    ).one()
    assert tuple(row) == (6258, 206, 14, 77, 10_909_500)


def test_lookup_by_code(session: Session) -> None:
    plzen = gazetteer.get_municipality(session, code=PLZEN)
    assert (plzen.name, plzen.orp_name, plzen.kraj_code) == ("Plzeň", "Plzeň", "CZ032")
    with pytest.raises(NotFound):
        gazetteer.get_municipality(session, code=1)


@pytest.mark.parametrize("typed", ["plzen", "PLZEŇ", "Plzeň", " plz"])
def test_prefix_search_ignores_case_and_diacritics(session: Session, typed: str) -> None:
    names = [m.name for m in gazetteer.search_municipalities(session, prefix=typed)]
    assert "Plzeň" in names
    assert all(n.lower().startswith("plz") for n in names)


def test_prefix_search_orders_the_czech_way(session: Session) -> None:
    names = [m.name for m in gazetteer.search_municipalities(session, prefix="ch", limit=500)]
    # "ch" is one letter after "h": every result starts with it, in Czech order.
    assert names and all(n.lower().startswith("ch") for n in names)
    folded = [n.lower() for n in names]
    assert folded.index("cheb") < folded.index("chomutov") < folded.index("chrudim")
    c_names = [m.name for m in gazetteer.search_municipalities(session, prefix="c", limit=500)]
    assert not any(n.lower().startswith("ch") for n in c_names[:5])


def test_search_treats_like_wildcards_literally(session: Session) -> None:
    assert gazetteer.search_municipalities(session, prefix="%") == []
    assert gazetteer.search_municipalities(session, prefix="_lzen") == []
    assert gazetteer.search_municipalities(session, prefix="   ") == []


def test_orp_and_kraj_lookups(session: Session) -> None:
    in_orp = gazetteer.municipalities_in_orp(session, orp_code=3211)  # ORP Rokycany
    assert ROKYCANY in {m.code for m in in_orp}
    assert {m.orp_name for m in in_orp} == {"Rokycany"}
    in_kraj = gazetteer.municipalities_in_kraj(session, kraj_code="CZ032")
    assert {m.kraj_name for m in in_kraj} == {"Plzeňský kraj"}
    assert len(gazetteer.list_krajs(session)) == 14
    assert len(gazetteer.list_orps(session)) == 206
    assert (3211, "Rokycany") in gazetteer.list_orps(session, kraj_code="CZ032")


def test_great_circle_distance(session: Session) -> None:
    km = gazetteer.distance_km(session, from_code=PLZEN, to_code=PRAHA)
    assert 83 < km < 88  # Plzeň – Praha, definition points
    assert gazetteer.distance_km(session, from_code=PLZEN, to_code=PLZEN) == 0


def test_the_product_ships_the_data_with_attribution() -> None:
    assert GAZETTEER_CSV.is_file()
    sources = (GAZETTEER_CSV.parent / "SOURCES.md").read_text(encoding="utf-8")
    assert "ČÚZK – RÚIAN (CC BY 4.0)" in sources
    assert "RÚIAN (CC BY 4.0)" in GAZETTEER_ATTRIBUTION
