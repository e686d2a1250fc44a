"""What social workers and staff read about households: the list and one household in full.

Visibility is the same as for the changes (`agency.services.households.visible_to`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import Select
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, col, select

from agency.enums import EthosCategory, HouseholdStatus, MemberKind
from agency.models import (
    AuditEntry,
    Household,
    HouseholdArea,
    HouseholdMember,
    HouseholdStatusCount,
    Municipality,
    Organisation,
    User,
)
from agency.rules import fold_diacritics
from agency.services.households import ENTITY, get_household, is_staff, visible_to
from agency.services.text_search import contains_pattern, folded

AnySelect = Select[*tuple[Any, ...]]


@dataclass(frozen=True)
class HouseholdFilters:
    text: str | None = None
    status: HouseholdStatus | None = None
    urgency: int | None = None
    orp_code: int | None = None
    ethos_category: EthosCategory | None = None


def _member_count(kind: MemberKind) -> Any:
    return (
        sa.select(sa.func.count())
        .where(
            col(HouseholdMember.household_id) == col(Household.id),
            col(HouseholdMember.kind) == kind,
        )
        .correlate(Household)
        .scalar_subquery()
    )


def _worker_name() -> Any:
    # A column subquery rather than a join: the list's COUNT and its page of keys then read
    # the household table alone (PostgreSQL dropped an outer join but still fetched its key,
    # which kept it from answering from an index alone).
    return (
        sa.select(col(User.name))
        .where(col(User.id) == col(Household.social_worker_id))
        .correlate(Household)
        .scalar_subquery()
    )


def households_query(actor: User, filters: HouseholdFilters) -> AnySelect:
    """Rows (household, social worker's name, adults, children) visible to `actor`,
    most urgent first, then the longest waiting; one query whatever the page size."""
    query = (
        sa.select(
            Household,
            _worker_name().label("name"),
            _member_count(MemberKind.adult).label("adults"),
            _member_count(MemberKind.child).label("children"),
        )
        .where(visible_to(actor))
        .order_by(col(Household.urgency).desc(), col(Household.registered_on), col(Household.id))
    )
    return _narrowed(query, filters)


def _narrowed(query: AnySelect, filters: HouseholdFilters) -> AnySelect:
    if filters.status is not None:
        query = query.where(col(Household.status) == filters.status)
    if filters.urgency is not None:
        query = query.where(col(Household.urgency) == filters.urgency)
    if filters.ethos_category is not None:
        query = query.where(col(Household.ethos_category) == filters.ethos_category)
    if filters.orp_code is not None:
        query = query.where(_in_orp(filters.orp_code))
    text = _search_text(filters)
    if text:
        query = query.where(_name_contains(text))
    return query


def _search_text(filters: HouseholdFilters) -> str:
    """The name searched for, spaces collapsed ("" when none)."""
    return " ".join((filters.text or "").split())


def count_households(session: Session, actor: User, filters: HouseholdFilters) -> int | None:
    """How many households `households_query(actor, filters)` lists, when the database keeps
    that number (no filter but a status: the counts per organisation and status, migration
    0011); None when anything else is asked for, to be counted from the query itself."""
    # Whatever is left besides the status: a filter added later is counted, never ignored.
    rest = replace(filters, status=None, text=_search_text(filters) or None)
    if rest != HouseholdFilters():
        return None
    kept = HouseholdStatusCount
    query = sa.select(sa.func.coalesce(sa.func.sum(kept.households), 0)).where(
        visible_to(actor, kept.organisation_id)
    )
    if filters.status is not None:
        query = query.where(col(kept.status) == filters.status)
    return int(session.execute(query).scalar_one())


def _name_contains(text: str) -> sa.ColumnElement[bool]:
    """The reference name contains `text`, ignoring case and Czech diacritics ("sedlacek"
    finds Sedláček); the text as typed is also tried as it stands."""
    name = col(Household.reference_name)
    return sa.or_(
        folded(name).like(contains_pattern(fold_diacritics(text)), escape="\\"),
        name.like(contains_pattern(text), escape="\\"),
    )


def _in_orp(orp_code: int) -> sa.ColumnElement[bool]:
    """The acceptable area touches the ORP: the ORP itself, one of its municipalities,
    or an anchor place inside it. A UNION of the three sets of ids, each found through an
    index, so that only the matching households are read (not every one visible)."""
    places = sa.select(col(Municipality.code)).where(col(Municipality.orp_code) == orp_code)
    by_orp = sa.select(col(HouseholdArea.household_id)).where(
        col(HouseholdArea.orp_code) == orp_code
    )
    by_place = sa.select(col(HouseholdArea.household_id)).where(
        _among(col(HouseholdArea.municipality_code), places.scalar_subquery())
    )
    by_anchor = sa.select(col(Household.id)).where(
        _among(col(Household.anchor_municipality_code), places.scalar_subquery())
    )
    # Not correlated: by_anchor names its own household, not the outer query's.
    return col(Household.id).in_(sa.union(by_orp, by_place, by_anchor.correlate(None)))


class _among(FunctionElement[bool]):
    """`column IN (subquery)`. On PostgreSQL `column = ANY(ARRAY(subquery))`: the set is
    found first and then looked up through the column's index, where for a semi-join the
    planner misjudged the ORP's few municipalities and read most of an index."""

    type = sa.Boolean()
    name = "among"
    inherit_cache = True


@compiles(_among)
def _among_default(element: _among, compiler: SQLCompiler, **kw: Any) -> str:
    column, subquery = (compiler.process(c, **kw) for c in element.clauses)
    return f"{column} IN {subquery}"


@compiles(_among, "postgresql")
def _among_postgresql(element: _among, compiler: SQLCompiler, **kw: Any) -> str:
    column, subquery = (compiler.process(c, **kw) for c in element.clauses)
    return f"{column} = ANY(ARRAY{subquery})"


@dataclass(frozen=True)
class AreaItem:
    """One acceptable municipality or ORP, named."""

    municipality: Municipality | None
    orp_code: int | None
    orp_name: str | None


@dataclass(frozen=True)
class HistoryItem:
    entry: AuditEntry
    actor_name: str | None


@dataclass(frozen=True)
class HouseholdDetail:
    household: Household
    worker: User
    organisation_name: str
    members: Sequence[HouseholdMember]
    areas: Sequence[AreaItem]
    anchor: Municipality | None
    history: Sequence[HistoryItem]


def load_household(
    session: Session, *, actor: User, household_id: int, with_history: bool = False
) -> HouseholdDetail:
    """A household with its members, area and (for staff) audit log, in a few queries."""
    household = get_household(session, actor=actor, household_id=household_id)
    worker = session.get(User, household.social_worker_id)
    organisation = session.get(Organisation, household.organisation_id)
    anchor_code = household.anchor_municipality_code
    return HouseholdDetail(
        household=household,
        worker=worker if worker is not None else actor,
        organisation_name=organisation.name if organisation else "",
        members=_members(session, household_id),
        areas=_areas(session, household_id),
        anchor=session.get(Municipality, anchor_code) if anchor_code else None,
        history=_history(session, household_id) if with_history and is_staff(actor) else (),
    )


def _members(session: Session, household_id: int) -> Sequence[HouseholdMember]:
    query = (
        select(HouseholdMember)
        .where(col(HouseholdMember.household_id) == household_id)
        .order_by(col(HouseholdMember.id))
    )
    return session.exec(query).all()


def _areas(session: Session, household_id: int) -> list[AreaItem]:
    query = (
        sa.select(HouseholdArea, Municipality)
        .outerjoin(Municipality, col(Municipality.code) == col(HouseholdArea.municipality_code))
        .where(col(HouseholdArea.household_id) == household_id)
        .order_by(col(HouseholdArea.id))
    )
    rows = session.execute(query).all()
    orp_codes = {area.orp_code for area, _ in rows if area.orp_code is not None}
    names = dict(
        session.execute(
            sa.select(col(Municipality.orp_code), col(Municipality.orp_name))
            .where(col(Municipality.orp_code).in_(orp_codes))
            .distinct()
        ).all()
    )
    return [
        AreaItem(municipality=m, orp_code=area.orp_code, orp_name=names.get(area.orp_code))
        for area, m in rows
    ]


def _history(session: Session, household_id: int, limit: int = 500) -> list[HistoryItem]:
    query = (
        sa.select(AuditEntry, col(User.name))
        .outerjoin(User, col(User.id) == col(AuditEntry.actor_id))
        .where(col(AuditEntry.entity) == ENTITY, col(AuditEntry.entity_id) == household_id)
        .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
        .limit(limit)
    )
    return [HistoryItem(entry=e, actor_name=name) for e, name in session.execute(query).all()]
