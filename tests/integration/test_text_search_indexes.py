"""The text searches and the households list on both databases: what they find, and on
PostgreSQL that each search can be answered from its trigram index (the index's expression
must match the query's character for character, or the planner cannot use it)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from agency.enums import FlatStatus, UserRole
from agency.models import HouseholdArea
from agency.services.flat_queries import FlatFilters, flats_query, landlords_query
from agency.services.household_queries import HouseholdFilters, households_query
from tests.factories import Factory
from web.pagination import paginate

ORP_PLZEN = 3209
PLZEN = 554791
LETKOV = 540561  # another municipality of the ORP Plzeň
LISOV = 540064  # in the ORP Stod


def ids(*records: Any) -> list[int]:
    """The records' ids, sorted."""
    return sorted(int(record.id) for record in records)


def found_ids(session: Session, query: Any) -> tuple[list[int], int]:
    """The ids of the first column on page one, and the list's total."""
    page = paginate(session, query, per_page=100)
    return ids(*(row[0] for row in page.items)), page.pagination.total


def test_flat_search_finds_the_street_or_the_landlord_once(
    session: Session, factory: Factory
) -> None:
    cermak = factory.landlord(name="Jan Čermák")
    by_street = factory.flat(street="Škroupova 12")
    by_landlord = factory.flat(street="Jiráskova 3", landlord_id=cermak.id)
    both = factory.flat(street="Čermákova 7", landlord_id=cermak.id)
    factory.flat(street="Husova 1")

    def search(text: str, **filters: Any) -> tuple[list[int], int]:
        return found_ids(session, flats_query(FlatFilters(text=text, **filters)))

    assert search("SKROUPOVA") == (ids(by_street), 1)
    # A flat whose street and landlord both match is listed (and counted) once.
    assert search("čermák") == (ids(by_landlord, both), 2)
    assert search("jan cer") == (ids(by_landlord, both), 2)
    assert search("čermák", status=FlatStatus.submitted) == ([], 0)
    assert search("100%") == ([], 0)


def test_landlord_search_by_name_or_email(session: Session, factory: Factory) -> None:
    stastna = factory.landlord(name="Marie Šťastná", email="marie@example.cz")
    by_email = factory.landlord(name="Bytové družstvo", email="stastny.dum@example.cz")
    factory.landlord(name="Petr Novák", email="petr@example.cz")

    def search(text: str) -> list[int]:
        return ids(*(row[0] for row in paginate(session, landlords_query(text=text)).items))

    assert search("STASTN") == ids(stastna, by_email)
    assert search("šťastná") == ids(stastna)
    assert search("dum@EXAMPLE") == ids(by_email)


def test_household_name_search_also_tries_the_name_as_typed(
    session: Session, factory: Factory
) -> None:
    worker = factory.user()
    # "ß" folds to "ss" in Python but not in SQL: only the name as typed finds it.
    strasse = factory.household(social_worker=worker, reference_name="Anna Großová")
    sedlacek = factory.household(social_worker=worker, reference_name="Petr Sedláček")
    Factory(session).household(reference_name="Pavel Sedláček")  # another organisation

    def search(text: str) -> tuple[list[int], int]:
        return found_ids(session, households_query(worker, HouseholdFilters(text=text)))

    assert search("Großová") == (ids(strasse), 1)
    assert search("sedlacek") == (ids(sedlacek), 1)
    assert search("grossova") == ([], 0)


def test_households_by_orp_through_each_way_once(session: Session, factory: Factory) -> None:
    worker = factory.user()
    by_orp, by_place, by_anchor, by_all, outside = (
        factory.household(social_worker=worker) for _ in range(5)
    )
    areas = (
        (by_orp, {"orp_code": ORP_PLZEN}),
        (by_place, {"municipality_code": LETKOV}),
        (by_all, {"orp_code": ORP_PLZEN}),
        (by_all, {"municipality_code": PLZEN}),
        (outside, {"municipality_code": LISOV}),
    )
    session.add_all(HouseholdArea(household_id=ids(h)[0], **area) for h, area in areas)
    by_anchor.anchor_municipality_code = LETKOV
    by_all.anchor_municipality_code = PLZEN
    outside.anchor_municipality_code = LISOV
    other_org = Factory(session).household(anchor_municipality_code=PLZEN)
    session.add_all([by_anchor, by_all, outside])
    session.flush()
    expected = ids(by_orp, by_place, by_anchor, by_all)

    mine = households_query(worker, HouseholdFilters(orp_code=ORP_PLZEN))
    assert found_ids(session, mine) == (expected, 4)
    staff = factory.user(UserRole.staff)
    everyone = households_query(staff, HouseholdFilters(orp_code=ORP_PLZEN))
    assert found_ids(session, everyone) == (sorted([*expected, *ids(other_org)]), 5)


def test_households_list_order_most_urgent_then_longest_waiting(
    session: Session, factory: Factory
) -> None:
    worker = factory.user()
    made = [
        factory.household(social_worker=worker, urgency=u, registered_on=date(2025, m, 1))
        for u, m in ((3, 1), (5, 6), (5, 2), (1, 1), (3, 1))
    ]
    rows = paginate(session, households_query(worker, HouseholdFilters())).items
    order = [(made[i].urgency, made[i].registered_on, made[i].id) for i in (2, 1, 0, 4, 3)]
    assert [(r[0].urgency, r[0].registered_on, r[0].id) for r in rows] == order
    assert [r[1] for r in rows] == [worker.name] * 5


# PostgreSQL: each search can be answered from its index. The tables here are tiny, so
# sequential scans are turned off: a plan still without the index means it cannot be used.


def plan(session: Session, query: Any, *, count: bool = False, bitmaps_only: bool = False) -> str:
    """PostgreSQL's plan for the list's COUNT or its first page of `query`. `bitmaps_only`
    also turns plain index scans off: a tiny table can otherwise be walked whole through its
    primary key with the search as a filter, which says nothing about the trigram index."""
    if count:
        query = query.with_only_columns(sa.func.count(), maintain_column_froms=True)
        query = query.order_by(None)
    else:
        query = query.limit(25)
    compiled = query.compile(dialect=session.get_bind().dialect)
    connection = session.connection()
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    if bitmaps_only:
        connection.exec_driver_sql("SET LOCAL enable_indexscan = off")
    return "\n".join(connection.exec_driver_sql(f"EXPLAIN {compiled}", compiled.params).scalars())


@pytest.fixture
def on_postgres(backend: str) -> None:
    if backend != "postgres":
        pytest.skip("trigram and descending indexes exist on PostgreSQL only")


@pytest.mark.usefixtures("on_postgres")
@pytest.mark.parametrize("count", [False, True])
def test_flat_search_uses_both_trigram_indexes(session: Session, count: bool) -> None:
    query = flats_query(FlatFilters(text="ulice 4711"))
    found = plan(session, query, count=count, bitmaps_only=True)
    assert "ix_flat_street_trgm_pg" in found and "ix_landlord_name_trgm_pg" in found, found


@pytest.mark.usefixtures("on_postgres")
def test_landlord_and_household_searches_use_their_trigram_indexes(
    session: Session, factory: Factory
) -> None:
    landlords = plan(session, landlords_query(text="novák"), count=True, bitmaps_only=True)
    assert "ix_landlord_name_trgm_pg" in landlords and "ix_landlord_email_trgm_pg" in landlords
    staff = factory.user(UserRole.staff)
    by_name = households_query(staff, HouseholdFilters(text="Sedláček"))
    households = plan(session, by_name, count=True, bitmaps_only=True)
    assert "ix_household_name_trgm_pg" in households, households
    assert "ix_household_name_typed_trgm_pg" in households, households


@pytest.mark.usefixtures("on_postgres")
def test_households_lists_walk_their_queue_indexes(session: Session, factory: Factory) -> None:
    staff = factory.user(UserRole.staff)
    everyone = plan(session, households_query(staff, HouseholdFilters()))
    assert "ix_household_queue_desc_pg" in everyone and "Sort" not in everyone, everyone
    worker = factory.user()
    mine = plan(session, households_query(worker, HouseholdFilters()))
    assert "ix_household_org_queue_desc_pg" in mine and "Sort" not in mine, mine
    by_orp = plan(
        session, households_query(worker, HouseholdFilters(orp_code=ORP_PLZEN)), count=True
    )
    assert "ix_household_anchor_municipality_code" in by_orp, by_orp
    assert "ix_householdarea_municipality_code" in by_orp, by_orp
