"""What staff read about flats: the filtered list, the queues and one flat in full."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql import Select
from sqlmodel import Session, col, select

from agency.enums import FlatStatus
from agency.errors import NotFound
from agency.models import (
    AuditEntry,
    Flat,
    FlatPhoto,
    Landlord,
    Municipality,
    RentCap,
    User,
    Vetting,
)
from agency.models.flat import FlatStatusCount
from agency.rules import fold_diacritics
from agency.services.text_search import contains_pattern, folded

TO_VET = (FlatStatus.submitted, FlatStatus.vetting)

# Any SELECT, whatever its columns (Select is variadic in SQLAlchemy 2.1).
AnySelect = Select[*tuple[Any, ...]]


@dataclass(frozen=True)
class FlatFilters:
    status: FlatStatus | None = None
    orp_code: int | None = None
    kraj_code: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class VettingRow:
    vetting: Vetting
    inspector_name: str


@dataclass(frozen=True)
class HistoryRow:
    entry: AuditEntry
    actor_name: str | None


@dataclass(frozen=True)
class FlatDetail:
    flat: Flat
    landlord: Landlord
    municipality: Municipality
    vettings: Sequence[VettingRow]
    history: Sequence[HistoryRow]
    photo_count: int
    rent_cap: RentCap | None


def flats_query(filters: FlatFilters) -> AnySelect:
    """Flats with their landlord and municipality, newest first, narrowed by `filters`.

    Both are required foreign keys, so the outer joins return the same rows as inner ones;
    they let PostgreSQL leave out the joins when the list only counts flats."""
    query = (
        sa.select(Flat, Landlord, Municipality)
        .outerjoin(Landlord, col(Landlord.id) == col(Flat.landlord_id))
        .outerjoin(Municipality, col(Municipality.code) == col(Flat.municipality_code))
        .order_by(col(Flat.created_at).desc(), col(Flat.id).desc())
    )
    return _narrowed(query, filters)


def _narrowed(query: AnySelect, filters: FlatFilters) -> AnySelect:
    if filters.status is not None:
        query = query.where(col(Flat.status) == filters.status)
    if filters.orp_code is not None:
        query = query.where(col(Municipality.orp_code) == filters.orp_code)
    if filters.kraj_code is not None:
        query = query.where(col(Municipality.kraj_code) == filters.kraj_code)
    text = _search(filters)
    if text:
        query = query.where(col(Flat.id).in_(_flats_containing(contains_pattern(text))))
    return query


def _search(filters: FlatFilters) -> str:
    return fold_diacritics(filters.text or "").strip()


def _flats_containing(pattern: str) -> sa.CompoundSelect[tuple[int]]:
    """Ids of the flats whose street or landlord's name matches `pattern`: a UNION, so that
    each side is found through its own (trigram) index rather than by reading every flat."""
    by_street = sa.select(col(Flat.id)).where(folded(col(Flat.street)).like(pattern, escape="\\"))
    by_landlord = (
        sa.select(col(Flat.id))
        .join(Landlord, col(Landlord.id) == col(Flat.landlord_id))
        .where(folded(col(Landlord.name)).like(pattern, escape="\\"))
    )
    # Not correlated: these name their own flat and landlord, not the outer query's.
    return sa.union(by_street.correlate(None), by_landlord.correlate(None))


def count_flats(session: Session, filters: FlatFilters) -> int | None:
    """How many flats `filters` select, when the database keeps that number (by status or
    none: the counts per status, migration 0009); None when a place or text is asked for."""
    if filters.orp_code is not None or filters.kraj_code is not None or _search(filters):
        return None
    query = sa.select(sa.func.coalesce(sa.func.sum(FlatStatusCount.flats), 0))
    if filters.status is not None:
        query = query.where(col(FlatStatusCount.status) == filters.status)
    return int(session.execute(query).scalar_one())


def count_flats_by_status(session: Session) -> dict[FlatStatus, int]:
    """How many flats are in each status (every status present, zero when none), from the
    counts that the database keeps per status (migration 0009)."""
    query = sa.select(col(FlatStatusCount.status), col(FlatStatusCount.flats))
    found = {FlatStatus(status): int(n) for status, n in session.execute(query).all()}
    return {status: found.get(status, 0) for status in FlatStatus}


def get_flat(session: Session, *, flat_id: int) -> Flat:
    """The flat with this id, or NotFound."""
    flat = session.get(Flat, flat_id)
    if flat is None:
        raise NotFound("This flat does not exist.")
    return flat


def flat_with_place(session: Session, *, flat_id: int) -> tuple[Flat, Landlord, Municipality]:
    """A flat with its landlord and municipality in one query, or NotFound."""
    query = flats_query(FlatFilters()).where(col(Flat.id) == flat_id)
    row = session.execute(query).first()
    if row is None:
        raise NotFound("This flat does not exist.")
    return row[0], row[1], row[2]


def find_rent_cap(session: Session, *, municipality: Municipality, rooms: int) -> RentCap | None:
    """The agency's rent cap for `rooms` in the municipality, else in its ORP."""
    query = select(RentCap).where(
        RentCap.rooms == rooms,
        sa.or_(
            col(RentCap.municipality_code) == municipality.code,
            sa.and_(
                col(RentCap.orp_code) == municipality.orp_code,
                col(RentCap.municipality_code).is_(None),
            ),
        ),
    )
    caps = session.exec(query).all()
    # A cap for the municipality itself is more precise than its ORP's.
    return min(caps, key=lambda cap: cap.municipality_code is None, default=None)


def load_flat_detail(session: Session, *, flat_id: int) -> FlatDetail:
    """Everything the flat's staff page shows, in a fixed number of queries."""
    flat, landlord, municipality = flat_with_place(session, flat_id=flat_id)
    return FlatDetail(
        flat=flat,
        landlord=landlord,
        municipality=municipality,
        vettings=_vettings(session, flat_id),
        history=_history(session, flat_id),
        photo_count=_photo_count(session, flat_id),
        rent_cap=find_rent_cap(session, municipality=municipality, rooms=flat.rooms),
    )


def _vettings(session: Session, flat_id: int) -> list[VettingRow]:
    query = (
        sa.select(Vetting, col(User.name))
        .join(User, col(User.id) == col(Vetting.inspector_id))
        .where(col(Vetting.flat_id) == flat_id)
        .order_by(col(Vetting.decided_at).desc(), col(Vetting.id).desc())
    )
    return [VettingRow(vetting=v, inspector_name=name) for v, name in session.execute(query).all()]


def _history(session: Session, flat_id: int) -> list[HistoryRow]:
    query = (
        sa.select(AuditEntry, col(User.name))
        .outerjoin(User, col(User.id) == col(AuditEntry.actor_id))
        .where(col(AuditEntry.entity) == "flat", col(AuditEntry.entity_id) == flat_id)
        .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
    )
    return [HistoryRow(entry=e, actor_name=name) for e, name in session.execute(query).all()]


def _photo_count(session: Session, flat_id: int) -> int:
    query = sa.select(sa.func.count()).where(col(FlatPhoto.flat_id) == flat_id)
    return int(session.execute(query).scalar_one())


def landlords_query(*, text: str | None = None) -> AnySelect:
    """Landlords by name, optionally those whose name or email contains `text`."""
    query = sa.select(Landlord).order_by(col(Landlord.name), col(Landlord.id))
    folded_text = fold_diacritics(text or "").strip()
    if folded_text:
        pattern = contains_pattern(folded_text)
        query = query.where(
            sa.or_(
                folded(col(Landlord.name)).like(pattern, escape="\\"),
                sa.func.lower(col(Landlord.email)).like(pattern, escape="\\"),
            )
        )
    return query


def get_landlord(session: Session, *, landlord_id: int) -> tuple[Landlord, Sequence[Flat]]:
    """A landlord and their flats (newest first), or NotFound."""
    landlord = session.get(Landlord, landlord_id)
    if landlord is None:
        raise NotFound("This landlord does not exist.")
    flats = session.exec(
        select(Flat)
        .where(Flat.landlord_id == landlord_id)
        .order_by(col(Flat.created_at).desc(), col(Flat.id).desc())
    ).all()
    return landlord, flats
