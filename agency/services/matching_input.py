"""The engine's instance from the records: available flats and waiting households of a scope.

Read with a fixed number of set-based queries (flats, households, members, areas, declined
pairs), whatever the number of records.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

import matching
from agency.enums import (
    OPEN_MATCH_STATUSES,
    FlatStatus,
    HouseholdStatus,
    MatchingScope,
    MatchStatus,
    MemberKind,
)
from agency.models import (
    Flat,
    Household,
    HouseholdArea,
    HouseholdMember,
    Match,
    Municipality,
    Setting,
)

DECLINED_PAIR_STATUSES = (MatchStatus.declined, MatchStatus.rejected)
DEFAULT_DEPOSIT_SUPPORT = 20_000  # CZK the agency's deposit fund adds, unless set otherwise
CHILDREN_TAG = "has_children"


@dataclass(frozen=True)
class Scope:
    """Which households and flats a run covers; `value` is an id or code as text."""

    kind: MatchingScope
    value: str | None = None


def setting_value(session: Session, key: str, default: int) -> int:
    """An integer agency setting (admins edit them), or `default` when unset or not a number."""
    found = session.get(Setting, key)
    value = found.value if found is not None else None
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def agency_policy(session: Session) -> matching.Policy:
    """The engine's policy: its defaults, plus the agency's deposit support."""
    support = setting_value(session, "deposit_support", DEFAULT_DEPOSIT_SUPPORT)
    return matching.Policy(deposit_support_allowed=support > 0, deposit_support=max(support, 0))


# --- which records -----------------------------------------------------------------------


def _orps_in(scope: Scope) -> Any:
    """The ORP codes of an ORP or kraj scope, as a sub-select."""
    if scope.kind == MatchingScope.orp:
        return sa.select(sa.literal(int(scope.value or 0)))
    query = sa.select(col(Municipality.orp_code)).where(col(Municipality.kraj_code) == scope.value)
    return query.distinct()


def _municipalities_in(scope: Scope) -> Any:
    return sa.select(col(Municipality.code)).where(col(Municipality.orp_code).in_(_orps_in(scope)))


def _open(column: Any) -> Any:
    return sa.select(column).where(col(Match.status).in_(OPEN_MATCH_STATUSES))


def household_conditions(scope: Scope) -> list[Any]:
    """Waiting households of the scope that are not held by an open match and have not
    withdrawn their consent (erasure needs a closed household or a withdrawn consent)."""
    conditions = [
        col(Household.status) == HouseholdStatus.waiting,
        col(Household.consent_withdrawn_on).is_(None),
        col(Household.id).not_in(_open(col(Match.household_id))),
    ]
    if scope.kind == MatchingScope.household:
        conditions.append(col(Household.id) == int(scope.value or 0))
    elif scope.kind == MatchingScope.caseload:
        conditions.append(col(Household.organisation_id) == int(scope.value or 0))
    elif scope.kind in (MatchingScope.orp, MatchingScope.kraj):
        conditions.append(_touches(scope))
    return conditions


def _touches(scope: Scope) -> Any:
    """Households whose acceptable area or anchor lies in the scope's ORPs."""
    places = _municipalities_in(scope)
    areas = sa.select(col(HouseholdArea.household_id)).where(
        sa.or_(
            col(HouseholdArea.orp_code).in_(_orps_in(scope)),
            col(HouseholdArea.municipality_code).in_(places),
        )
    )
    return sa.or_(col(Household.id).in_(areas), col(Household.anchor_municipality_code).in_(places))


def flat_conditions(scope: Scope) -> list[Any]:
    """Available, vetted flats of the scope that are not held by an open match."""
    conditions = [
        col(Flat.status) == FlatStatus.available,
        col(Flat.max_occupants).is_not(None),
        col(Flat.id).not_in(_open(col(Match.flat_id))),
    ]
    if scope.kind in (MatchingScope.orp, MatchingScope.kraj):
        conditions.append(col(Flat.municipality_code).in_(_municipalities_in(scope)))
    return conditions


# --- the instance --------------------------------------------------------------------------


def build_instance(
    session: Session,
    *,
    scope: MatchingScope,
    scope_value: str | None,
    today: date,
    policy: matching.Policy | None = None,
) -> matching.Instance:
    """The engine's instance for a scope (see `household_conditions`, `flat_conditions`),
    with the pairs declined or rejected before passed as `excluded`."""
    where = Scope(scope, scope_value)
    hh_where, flat_where = household_conditions(where), flat_conditions(where)
    households = _engine_households(session, hh_where)
    flats = _engine_flats(session, flat_where)
    return matching.Instance(
        today=today,
        households=households,
        flats=flats,
        policy=policy or agency_policy(session),
        excluded=_declined_pairs(session, hh_where, flat_where),
    )


def _engine_flats(session: Session, where: list[Any]) -> tuple[matching.Flat, ...]:
    query = (
        sa.select(Flat, col(Municipality.orp_code), col(Municipality.lat), col(Municipality.lon))
        .join(Municipality, col(Municipality.code) == col(Flat.municipality_code))
        .where(*where)
        .order_by(col(Flat.id))
    )
    return tuple(_engine_flat(*row) for row in session.execute(query).all())


def _engine_flat(flat: Flat, orp: int, lat: float, lon: float) -> matching.Flat:
    return matching.Flat(
        id=str(flat.id),
        municipality_code=str(flat.municipality_code),
        orp_code=str(orp),
        lat=lat,
        lon=lon,
        rooms=flat.rooms,
        max_occupants=int(flat.max_occupants or 1),
        rent=flat.rent,
        services=flat.services,
        deposit=flat.deposit,
        available_from=flat.available_from,
        layout=flat.layout,
        floor=flat.floor,
        lift=flat.lift,
        step_free=flat.step_free,
        pets_allowed=flat.pets_allowed,
        landlord=str(flat.landlord_id),
        building=flat.building_key,
    )


@dataclass
class _Parts:
    adults: int = 0
    children: int = 0
    municipalities: tuple[str, ...] = ()
    orps: tuple[str, ...] = ()


def _engine_households(session: Session, where: list[Any]) -> tuple[matching.Household, ...]:
    ids = sa.select(col(Household.id)).where(*where)
    parts = _household_parts(session, ids)
    # Plain rows of the columns the engine reads: tens of thousands of households at national
    # scale, where loading ORM objects would cost more than the query.
    query = (
        sa.select(*(col(getattr(Household, name)) for name in _ENGINE_COLUMNS))
        .add_columns(col(Municipality.lat), col(Municipality.lon))
        .outerjoin(Municipality, col(Municipality.code) == col(Household.anchor_municipality_code))
        .where(*where)
        .order_by(col(Household.id))
    )
    return tuple(
        _engine_household(row, row.lat, row.lon, parts[int(row.id)])
        for row in session.execute(query).all()
    )


_ENGINE_COLUMNS = (
    "id",
    "urgency",
    "registered_on",
    "max_housing_cost",
    "monthly_income",
    "housing_allowance",
    "housing_supplement",
    "deposit_available",
    "max_distance_km",
    "needs_step_free",
    "needs_ground_floor",
    "has_pets",
    "min_rooms",
    "move_in_by",
    "social_worker_id",
)


def _household_parts(session: Session, ids: Any) -> dict[int, _Parts]:
    """Members counted by kind and acceptable areas, for the households `ids` (a sub-select)."""
    parts: dict[int, _Parts] = defaultdict(_Parts)
    members = (
        sa.select(col(HouseholdMember.household_id), col(HouseholdMember.kind), sa.func.count())
        .where(col(HouseholdMember.household_id).in_(ids))
        .group_by(col(HouseholdMember.household_id), col(HouseholdMember.kind))
    )
    for household_id, kind, count in session.execute(members).all():
        setattr(parts[household_id], "adults" if kind == MemberKind.adult else "children", count)
    areas = (
        sa.select(
            col(HouseholdArea.household_id),
            col(HouseholdArea.municipality_code),
            col(HouseholdArea.orp_code),
        )
        .where(col(HouseholdArea.household_id).in_(ids))
        .order_by(col(HouseholdArea.household_id), col(HouseholdArea.id))
    )
    for household_id, municipality, orp in session.execute(areas).all():
        part = parts[household_id]
        if municipality is not None:
            part.municipalities += (str(municipality),)
        if orp is not None:
            part.orps += (str(orp),)
    return parts


def _engine_household(
    h: Any, lat: float | None, lon: float | None, part: _Parts
) -> matching.Household:
    """The engine's household from a row of `_ENGINE_COLUMNS` (or a Household)."""
    anchor = None
    if lat is not None and lon is not None and h.max_distance_km is not None:
        anchor = matching.Anchor(lat=lat, lon=lon, max_km=float(h.max_distance_km))
    return matching.Household(
        id=str(h.id),
        adults=max(part.adults, 1),  # the reference person at least
        children=part.children,
        urgency=h.urgency,
        registered_on=h.registered_on,
        max_housing_cost=h.max_housing_cost,
        income=h.monthly_income + h.housing_allowance + h.housing_supplement,
        deposit_available=h.deposit_available,
        municipality_codes=part.municipalities,
        orp_codes=part.orps,
        anchor=anchor,
        needs_step_free=h.needs_step_free,
        needs_ground_floor=h.needs_ground_floor,
        has_pets=h.has_pets,
        min_rooms=h.min_rooms,
        move_in_by=h.move_in_by,
        social_worker=str(h.social_worker_id),
        tags=(CHILDREN_TAG,) if part.children else (),
    )


def _declined_pairs(
    session: Session, hh_where: list[Any], flat_where: list[Any]
) -> tuple[tuple[str, str], ...]:
    query = (
        sa.select(col(Match.household_id), col(Match.flat_id))
        .where(
            col(Match.status).in_(DECLINED_PAIR_STATUSES),
            col(Match.household_id).in_(sa.select(col(Household.id)).where(*hh_where)),
            col(Match.flat_id).in_(sa.select(col(Flat.id)).where(*flat_where)),
        )
        .distinct()
        .order_by(col(Match.household_id), col(Match.flat_id))
    )
    return tuple((str(h), str(f)) for h, f in session.execute(query).all())
