"""Matching from the records: the instance built from the database, and stored runs."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from agency.enums import FlatStatus, HouseholdStatus, MatchingScope, MatchStatus, UserRole
from agency.errors import InvalidInput, NotFound
from agency.models import Match, MatchingRun, Municipality
from agency.services.matches import propose_match
from agency.services.matching_runs import (
    Scope,
    build_instance,
    check_scope,
    find_flats,
    run_matching,
)
from tests.factories import PLZEN, Factory
from tests.integration.placement_data import BRNO, NOW, ROKYCANY, household

TODAY = date(2026, 11, 21)


def _ids(items: tuple[object, ...]) -> list[str]:
    return [item.id for item in items]  # type: ignore[attr-defined]


def test_members_areas_and_anchor_are_read_into_the_instance(
    session: Session, factory: Factory
) -> None:
    made = household(
        factory,
        adults=2,
        children=(2015, 2019),
        municipalities=(PLZEN,),
        orps=(3211,),
        anchor_municipality_code=ROKYCANY,
        max_distance_km=12,
        needs_step_free=True,
        min_rooms=3,
        housing_allowance=3000,
    )
    flat = factory.flat(municipality_code=ROKYCANY, building_key="masarykova 1|559717")
    inst = build_instance(
        session, scope=MatchingScope.household, scope_value=str(made.id), today=TODAY
    )
    (h,) = inst.households
    assert (h.id, h.adults, h.children, h.has_children) == (str(made.id), 2, 2, True)
    assert h.municipality_codes == (str(PLZEN),) and h.orp_codes == ("3211",)
    rokycany = session.get(Municipality, ROKYCANY)
    assert rokycany is not None and h.anchor is not None
    assert (h.anchor.lat, h.anchor.lon, h.anchor.max_km) == (rokycany.lat, rokycany.lon, 12.0)
    assert h.income == 28000 + 3000 and h.needs_step_free and h.min_rooms == 3
    assert "has_children" in h.tags and h.social_worker == str(made.social_worker_id)
    f = next(f for f in inst.flats if f.id == str(flat.id))
    assert (f.orp_code, f.municipality_code, f.landlord) == (
        "3211",
        str(ROKYCANY),
        str(flat.landlord_id),
    )
    assert f.building == "masarykova 1|559717" and (f.lat, f.lon) == (rokycany.lat, rokycany.lon)


def test_a_household_without_member_rows_counts_its_reference_person(
    session: Session, factory: Factory
) -> None:
    made = household(factory, adults=0)
    inst = build_instance(
        session, scope=MatchingScope.household, scope_value=str(made.id), today=TODAY
    )
    assert inst.households[0].adults == 1


def test_open_matches_leave_flats_and_households_out_and_declines_are_excluded(
    session: Session, factory: Factory
) -> None:
    worker = factory.user()
    busy_h, free_h, declined_h = (household(factory) for _ in range(3))
    busy_f, free_f = factory.flat(), factory.flat()
    propose_match(
        session, household_id=busy_h.id or 0, flat_id=busy_f.id or 0, proposed_by_id=worker.id or 0
    )
    for status in (MatchStatus.declined, MatchStatus.rejected, MatchStatus.expired):
        session.add(
            Match(
                household_id=declined_h.id,
                flat_id=free_f.id,
                proposed_by_id=worker.id,
                status=status,
            )
        )
    session.flush()
    inst = build_instance(session, scope=MatchingScope.all, scope_value=None, today=TODAY)
    households, flats = _ids(inst.households), _ids(inst.flats)
    assert str(busy_h.id) not in households and str(busy_f.id) not in flats
    assert {str(free_h.id), str(declined_h.id)} <= set(households) and str(free_f.id) in flats
    assert (str(declined_h.id), str(free_f.id)) in inst.excluded
    assert all(pair[0] != str(free_h.id) for pair in inst.excluded)


def test_only_waiting_households_and_available_vetted_flats(
    session: Session, factory: Factory
) -> None:
    registered = household(factory, status=HouseholdStatus.registered)
    unvetted = factory.flat(max_occupants=None)
    submitted = factory.flat(status=FlatStatus.submitted)
    inst = build_instance(session, scope=MatchingScope.all, scope_value=None, today=TODAY)
    assert str(registered.id) not in _ids(inst.households)
    assert {str(unvetted.id), str(submitted.id)}.isdisjoint(_ids(inst.flats))


def test_scopes_filter_households_and_flats(session: Session, factory: Factory) -> None:
    plzen_h = household(factory, municipalities=(PLZEN,))
    rokycany_h = household(factory, municipalities=(), orps=(3211,))
    brno_h = household(factory, municipalities=(BRNO,))
    plzen_f, rokycany_f = factory.flat(), factory.flat(municipality_code=ROKYCANY)
    brno_f = factory.flat(municipality_code=BRNO)

    orp = build_instance(session, scope=MatchingScope.orp, scope_value="3211", today=TODAY)
    assert set(_ids(orp.households)) >= {str(rokycany_h.id)}
    assert not {str(plzen_h.id), str(brno_h.id)} & set(_ids(orp.households))
    assert str(rokycany_f.id) in _ids(orp.flats) and str(plzen_f.id) not in _ids(orp.flats)

    kraj = build_instance(session, scope=MatchingScope.kraj, scope_value="CZ032", today=TODAY)
    assert {str(plzen_h.id), str(rokycany_h.id)} <= set(_ids(kraj.households))
    assert str(brno_h.id) not in _ids(kraj.households) and str(brno_f.id) not in _ids(kraj.flats)

    org = build_instance(
        session, scope=MatchingScope.caseload, scope_value=str(brno_h.organisation_id), today=TODAY
    )
    assert str(brno_h.id) in _ids(org.households) and str(brno_f.id) in _ids(org.flats)


def test_caseload_is_the_organisations_households(session: Session, factory: Factory) -> None:
    mine = household(factory)
    other_org = Factory(session)
    theirs = household(other_org)
    inst = build_instance(
        session, scope=MatchingScope.caseload, scope_value=str(mine.organisation_id), today=TODAY
    )
    assert str(mine.id) in _ids(inst.households) and str(theirs.id) not in _ids(inst.households)


def test_scope_checks(session: Session, factory: Factory) -> None:
    worker = factory.user(UserRole.social_worker)
    stranger = household(Factory(session))
    assert check_scope(session, actor=worker, scope=Scope(MatchingScope.caseload)).value == str(
        worker.organisation_id
    )
    assert (
        check_scope(session, actor=worker, scope=Scope(MatchingScope.orp, "3209")).value == "3209"
    )
    for bad in (Scope(MatchingScope.orp, "99999"), Scope(MatchingScope.kraj, "CZ' OR 1")):
        with pytest.raises(InvalidInput):
            check_scope(session, actor=worker, scope=bad)
    with pytest.raises(NotFound):
        check_scope(session, actor=worker, scope=Scope(MatchingScope.household, str(stranger.id)))


def test_run_is_stored_with_suggestions_and_explanations(
    session: Session, factory: Factory
) -> None:
    worker = factory.user(UserRole.social_worker)
    fits = household(factory, urgency=5)
    too_poor = household(factory, max_housing_cost=9000, urgency=3)
    flat = factory.flat(rent=9000, services=1500)
    run = run_matching(
        session,
        scope=MatchingScope.caseload,
        scope_value=str(worker.organisation_id),
        run_by_id=worker.id,
        now=NOW,
    )
    stored = session.get(MatchingRun, run.id)
    assert stored is not None and stored.run_by_id == worker.id and stored.status == "optimal"
    assert (stored.households_count, stored.flats_count) == (2, 1)
    assert stored.suggestions is not None and stored.explanations is not None
    (suggestion,) = [s for s in stored.suggestions if s["household_id"] == fits.id]
    assert suggestion["flat_id"] == flat.id and set(suggestion["terms"]) >= {"cost_burden"}
    (why,) = [u for u in stored.explanations["unmatched"] if u["household_id"] == too_poor.id]
    assert why["excluded_by"]["budget"] == 1
    assert why["near_misses"][0] == {
        "flat_id": flat.id,
        "constraint": "budget",
        "gap": 1500.0,
        "unit": "CZK over budget",
    }
    assert stored.objective is not None and stored.objective["housed_by_urgency"]["5"] == 1
    assert stored.policy is not None and stored.policy["deposit_support_allowed"] is True


def test_an_outranked_household_is_told_so(session: Session, factory: Factory) -> None:
    urgent, later = household(factory, urgency=5), household(factory, urgency=2)
    factory.flat()
    run = run_matching(session, scope=MatchingScope.all, scope_value=None, run_by_id=None, now=NOW)
    assert run.suggestions is not None and run.explanations is not None
    assert [
        s["household_id"] for s in run.suggestions if s["household_id"] in (urgent.id, later.id)
    ] == [urgent.id]
    (why,) = [u for u in run.explanations["unmatched"] if u["household_id"] == later.id]
    assert why["outranked"]["taken_by_urgency"] == {"5": 1}


def test_the_same_records_give_the_same_run(session: Session, factory: Factory) -> None:
    for urgency in (5, 4, 4, 2):
        household(factory, urgency=urgency, children=(2016,) if urgency == 4 else ())
    for rent in (8000, 8500, 9500):
        factory.flat(rent=rent)
    runs = [
        run_matching(session, scope=MatchingScope.all, scope_value=None, run_by_id=None, now=NOW)
        for _ in range(2)
    ]
    first, second = (
        (r.suggestions, r.explanations, r.objective, r.pairs_count, r.policy) for r in runs
    )
    assert first == second


def test_find_flats_ranks_compatible_flats_and_explains_none(
    session: Session, factory: Factory
) -> None:
    made = household(factory)
    cheap, dear = factory.flat(rent=7000), factory.flat(rent=9500)
    search = find_flats(session, household_id=made.id or 0, today=TODAY)
    ranked = [c.flat_id for c in search.choices]
    assert ranked.index(cheap.id) < ranked.index(dear.id)
    assert all(search.choices[i].fit <= search.choices[i + 1].fit for i in range(len(ranked) - 1))
    nobody = household(factory, max_housing_cost=100)
    none = find_flats(session, household_id=nobody.id or 0, today=TODAY)
    assert none.choices == [] and none.unmatched is not None
    assert none.unmatched["reason"] == "no compatible flat"


@pytest.mark.postgres
def test_the_instance_is_read_in_a_fixed_number_of_queries(pg_engine: Engine) -> None:
    with Session(pg_engine) as session:
        factory = Factory(session)
        for _ in range(30):
            household(factory, children=(2018,))
            factory.flat()
        session.commit()
        statements: list[str] = []
        sa.event.listen(pg_engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        inst = build_instance(session, scope=MatchingScope.all, scope_value=None, today=TODAY)
        assert len(inst.households) == 30 and len(statements) <= 6
