"""Pure rules: life cycles, layouts, affordability, Czech ordering, distances."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agency import rules
from agency.enums import FlatStatus, HouseholdStatus, LeaseStatus, MatchStatus


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (FlatStatus.submitted, FlatStatus.vetting),
        (FlatStatus.vetting, FlatStatus.available),
        (FlatStatus.available, FlatStatus.offered),
        (FlatStatus.offered, FlatStatus.let),
        (FlatStatus.let, FlatStatus.available),
        (HouseholdStatus.housed, HouseholdStatus.waiting),
        (MatchStatus.proposed, MatchStatus.approved),
        (MatchStatus.accepted, MatchStatus.leased),
        (LeaseStatus.active, LeaseStatus.ended),
    ],
)
def test_allowed_transitions(current: FlatStatus, target: FlatStatus) -> None:
    rules.check_transition(current, target)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (FlatStatus.withdrawn, FlatStatus.available),
        (FlatStatus.submitted, FlatStatus.let),
        (HouseholdStatus.closed, HouseholdStatus.waiting),
        (MatchStatus.rejected, MatchStatus.approved),
        (MatchStatus.proposed, MatchStatus.leased),
        (LeaseStatus.ended, LeaseStatus.active),
    ],
)
def test_refused_transitions(current: FlatStatus, target: FlatStatus) -> None:
    assert not rules.can_transition(current, target)
    with pytest.raises(rules.TransitionError, match=f"'{current}' to '{target}'"):
        rules.check_transition(current, target)


def test_withdrawn_is_possible_from_every_state_before_let() -> None:
    before_let = [s for s in FlatStatus if s not in (FlatStatus.let, FlatStatus.withdrawn)]
    assert all(rules.can_transition(s, FlatStatus.withdrawn) for s in before_let)


def test_every_status_has_a_transition_row() -> None:
    for table, enum in [
        (rules.FLAT_TRANSITIONS, FlatStatus),
        (rules.HOUSEHOLD_TRANSITIONS, HouseholdStatus),
        (rules.MATCH_TRANSITIONS, MatchStatus),
        (rules.LEASE_TRANSITIONS, LeaseStatus),
    ]:
        assert set(table) == set(enum)


@pytest.mark.parametrize(
    ("layout", "rooms", "canonical"),
    [("1+kk", 1, "1+kk"), ("2+1", 2, "2+1"), (" 3 + KK ", 3, "3+kk"), ("4+0", 4, "4+0")],
)
def test_layouts(layout: str, rooms: int, canonical: str) -> None:
    assert rules.parse_layout(layout) == rooms
    assert rules.normalise_layout(layout) == canonical


@pytest.mark.parametrize("layout", ["", "kk", "0+1", "2+2", "10+1", "2+kkk", "dva"])
def test_bad_layouts(layout: str) -> None:
    with pytest.raises(ValueError, match="2\\+kk or 3\\+1"):
        rules.parse_layout(layout)


def test_max_housing_cost() -> None:
    assert rules.max_housing_cost(30000, 4000, 1500) == 12000 + 4000 + 1500
    assert rules.max_housing_cost(30000, 0, 0, share_percent=30) == 9000
    with pytest.raises(ValueError):
        rules.max_housing_cost(-1, 0, 0)


@given(st.integers(0, 10**6), st.integers(0, 10**5), st.integers(0, 10**5))
def test_max_housing_cost_never_below_benefits(income: int, allowance: int, supp: int) -> None:
    cost = rules.max_housing_cost(income, allowance, supp)
    assert allowance + supp <= cost <= income + allowance + supp


def test_cost_burden() -> None:
    assert rules.cost_burden_percent(9000, 3000, 30000) == 40
    assert rules.cost_burden_percent(1, 0, 0) == 100


def test_czech_order() -> None:
    names = ["Cheb", "Hradec", "Čáslav", "Chomutov", "Cvikov", "Žatec", "Zruč", "Ústí", "Úvaly"]
    expected = ["Cvikov", "Čáslav", "Hradec", "Cheb", "Chomutov", "Ústí", "Úvaly", "Zruč", "Žatec"]
    assert sorted(names, key=rules.czech_sort_key) == expected


def test_fold_diacritics() -> None:
    assert rules.fold_diacritics("Plzeň-Újezd Říčany") == "plzen-ujezd ricany"


def test_great_circle() -> None:
    # Plzeň to Praha definition points, about 85 km.
    assert 83 < rules.great_circle_km(49.7475, 13.3776, 50.0875, 14.4214) < 88
    assert rules.great_circle_km(50.0, 14.0, 50.0, 14.0) == 0


def test_month_arithmetic() -> None:
    from datetime import date

    assert rules.month_start(date(2026, 11, 21)) == date(2026, 11, 1)
    assert rules.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert rules.add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert rules.add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert rules.add_months(date(2026, 5, 15), -6) == date(2025, 11, 15)


def test_building_key_groups_spellings_of_one_address() -> None:
    assert rules.building_key("Slovanská  45", 554791) == rules.building_key("slovanska 45", 554791)
    assert rules.building_key("Slovanská 45", 554791) != rules.building_key("Slovanská 45", 1)
