"""The household's privacy: export of everything stored about it, erasure by
pseudonymisation (on request, or when the retention period ends), withdrawal of consent.

Pseudonymisation replaces every personal field with a neutral value and keeps ids,
statuses, dates, categories, codes and amounts, so the Platform's summaries do not change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from agency.db import metadata
from agency.enums import AuditAction, HouseholdStatus
from agency.errors import Conflict, Forbidden, InvalidInput
from agency.models import (
    AuditEntry,
    Barrier,
    GuaranteeClaim,
    Household,
    HouseholdMember,
    Lease,
    Match,
    RentPayment,
    SupportVisit,
    User,
)
from agency.rules import add_months
from agency.services.audit import record_audit
from agency.services.households import (
    ENTITY,
    get_household,
    is_staff,
    require_not_pseudonymised,
)
from agency.services.matches import household_ref, release_open_matches
from notifications.models import Notification, OutboxMessage

EXPORT_FORMAT = "household-export/1"
DEFAULT_RETENTION_YEARS = 5
NEUTRAL_TEXT = "-"
PSEUDONYM_PREFIX = household_ref(0).removesuffix("0")
CHUNK = 500


# --- export --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """A table of the export and how its rows point at the household: `column` holds the
    id of a row of `parent` (the household itself or another part)."""

    table: str
    parent: str
    column: str


PARTS: tuple[Part, ...] = (
    Part("householdmember", "household", "household_id"),
    Part("householdarea", "household", "household_id"),
    Part("barrier", "household", "household_id"),
    Part("placement_match", "household", "household_id"),
    Part("lease", "household", "household_id"),
    Part("lease_renewal", "lease", "lease_id"),
    Part("rent_charge", "lease", "lease_id"),
    Part("rent_payment", "lease", "lease_id"),
    Part("guarantee_claim", "lease", "lease_id"),
    Part("support_plan", "lease", "lease_id"),
    Part("support_visit", "household", "household_id"),
)


def plain(value: Any) -> Any:
    """A stored value as JSON: dates in ISO 8601, enums by value, containers recursively."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _rows(
    session: Session, table: sa.Table, column: str, ids: Iterable[int]
) -> list[dict[str, Any]]:
    query = sa.select(table).where(table.c[column].in_(list(ids))).order_by(table.c.id)
    return [{k: plain(v) for k, v in row.items()} for row in session.execute(query).mappings()]


def export_household(
    session: Session, *, actor: User, household_id: int, now: datetime
) -> dict[str, Any]:
    """Everything stored about the household, table by table (staff only); the export is
    audited first, so it lists itself in the audit trail it carries."""
    if not is_staff(actor):
        raise Forbidden("Only agency staff may export a household's data.")
    household = get_household(session, actor=actor, household_id=household_id)
    record_audit(
        session, actor_id=actor.id, action=AuditAction.export, entity=ENTITY, entity_id=household_id
    )
    session.flush()
    tables = metadata().tables
    export: dict[str, Any] = {
        "export": {
            "format": EXPORT_FORMAT,
            "exported_at": plain(now),
            "exported_by": actor.name,
            "pseudonymised": household.pseudonymised_at is not None,
        },
        "household": _rows(session, tables["household"], "id", [household_id])[0],
    }
    ids: dict[str, list[int]] = {"household": [household_id]}
    for part in PARTS:
        rows = _rows(session, tables[part.table], part.column, ids[part.parent])
        export[part.table] = rows
        ids[part.table] = [int(row["id"]) for row in rows]
    export["notification"] = _notifications(session, household_id, ids)
    export["audit_log"] = _audit_trail(session, household_id, ids)
    return export


def _related_ids(session: Session, household_ids: list[int]) -> dict[str, list[int]]:
    """The ids of the rows of every export part of these households, by table."""
    tables = metadata().tables
    ids: dict[str, list[int]] = {"household": list(household_ids)}
    for part in PARTS:
        table = tables[part.table]
        query = sa.select(table.c.id).where(table.c[part.column].in_(ids[part.parent]))
        ids[part.table] = [int(i) for i in session.execute(query).scalars()]
    return ids


def _links(ids: dict[str, list[int]]) -> list[str]:
    """The links of notifications about these households and their rows."""
    return [
        *(f"/households/{i}" for i in ids["household"]),
        *(f"/offers/{i}" for i in ids["placement_match"]),
        *(f"/signoff/{i}" for i in ids["placement_match"]),
        *(f"/portal/offers/{i}" for i in ids["placement_match"]),
        *(f"/leases/{i}" for i in ids["lease"]),
        *(f"/visits/{i}" for i in ids["support_visit"]),
    ]


def _notifications(
    session: Session, household_id: int, ids: dict[str, list[int]]
) -> list[dict[str, Any]]:
    """In-app notifications about the household, its proposals, leases and visits."""
    query = (
        sa.select(Notification, col(User.name))
        .outerjoin(User, col(User.id) == col(Notification.user_id))
        .where(col(Notification.link).in_(_links(ids)))
        .order_by(col(Notification.id))
    )
    return [
        {
            "id": n.id,
            "recipient": name,
            "kind": n.kind,
            "link": n.link,
            "context": plain(n.context),
            "created_at": plain(n.created_at),
            "read_at": plain(n.read_at),
        }
        for n, name in session.execute(query).all()
    ]


def _audit_trail(
    session: Session, household_id: int, ids: dict[str, list[int]]
) -> list[dict[str, Any]]:
    """Who opened, exported or changed the household, its proposals and leases, and when."""
    entity, entity_id = col(AuditEntry.entity), col(AuditEntry.entity_id)
    query = (
        sa.select(AuditEntry, col(User.name))
        .outerjoin(User, col(User.id) == col(AuditEntry.actor_id))
        .where(
            sa.or_(
                sa.and_(entity == ENTITY, entity_id == household_id),
                sa.and_(entity == "match", entity_id.in_(ids["placement_match"])),
                sa.and_(entity == "lease", entity_id.in_(ids["lease"])),
            )
        )
        .order_by(col(AuditEntry.at), col(AuditEntry.id))
    )
    return [
        {
            "at": plain(e.at),
            "actor": name,
            "action": plain(e.action),
            "entity": e.entity,
            "entity_id": e.entity_id,
            "from_status": e.from_status,
            "to_status": e.to_status,
            "reason": e.reason,
        }
        for e, name in session.execute(query).all()
    ]


# --- erasure by pseudonymisation ---------------------------------------------------------------


def pseudonymise_household(
    session: Session,
    *,
    actor: User,
    household_id: int,
    reason: str,
    confirmed: bool,
    now: datetime,
) -> Household:
    """Erase the household's personal data on request (staff only, with a reason, confirmed).

    Only a closed household or one that withdrew its consent: neither is matched any more,
    so the erasure changes no figure of the Platform's summaries."""
    if not is_staff(actor):
        raise Forbidden("Only agency staff may erase a household's data.")
    household = get_household(session, actor=actor, household_id=household_id)
    if household.pseudonymised_at is not None:
        raise Conflict("This household's data were pseudonymised already.")
    if household.status != HouseholdStatus.closed and household.consent_withdrawn_on is None:
        raise Conflict(
            "Close the household or record the withdrawal of its consent before the erasure."
        )
    text = reason.strip()
    if not text:
        raise InvalidInput("Give the reason of the erasure.", field="reason")
    if not confirmed:
        raise InvalidInput("Confirm that the personal data are to be erased.", field="confirm")
    erase(session, [household_id], actor_id=actor.id, reason=text[:2000], now=now)
    session.expire_all()  # the set-based updates bypassed the loaded records
    return get_household(session, actor=actor, household_id=household_id)


def erase(
    session: Session,
    household_ids: Sequence[int],
    *,
    actor_id: int | None,
    reason: str,
    now: datetime,
) -> None:
    """Pseudonymise the households `household_ids`: set-based, a fixed number of statements."""
    if not household_ids:
        return
    ids = list(household_ids)
    _erase_household_rows(session, ids, now)
    _erase_related_rows(session, ids)
    _neutral_audit_reasons(session, ids)
    _neutral_message_texts(session, ids)
    for household_id in ids:
        record_audit(
            session,
            actor_id=actor_id,
            action=AuditAction.erase,
            entity=ENTITY,
            entity_id=household_id,
            reason=reason,
        )
    session.flush()


def _erase_household_rows(session: Session, ids: list[int], now: datetime) -> None:
    session.execute(
        sa.update(Household)
        .where(col(Household.id).in_(ids))
        .values(
            # The same pseudonym as in notifications (`household_ref`): "D-<id>".
            reference_name=sa.literal(PSEUDONYM_PREFIX) + sa.cast(col(Household.id), sa.String),
            reference_phone=None,
            reference_email=None,
            anchor_label=None,
            urgency_reasons=None,
            notes=None,
            consent_scope=NEUTRAL_TEXT,
            pseudonymised_at=now,
        ),
        execution_options={"synchronize_session": False},
    )


def _erase_related_rows(session: Session, ids: list[int]) -> None:
    """Free text and birth years around the household; no summary figure uses them."""
    leases = sa.select(col(Lease.id)).where(col(Lease.household_id).in_(ids))
    updates: tuple[tuple[Any, Any, dict[str, Any]], ...] = (
        (HouseholdMember, col(HouseholdMember.household_id).in_(ids), {"birth_year": None}),
        (Barrier, col(Barrier.household_id).in_(ids), {"note": None}),
        (
            SupportVisit,
            col(SupportVisit.household_id).in_(ids),
            {"notes": None, "follow_up": None},
        ),
        (
            Match,
            col(Match.household_id).in_(ids),
            {"note": None, "review_reason": None, "decline_note": None},
        ),
        (Lease, col(Lease.household_id).in_(ids), {"guarantee_terms": None, "end_note": None}),
        (
            RentPayment,
            col(RentPayment.lease_id).in_(leases),
            {"note": None, "bank_reference": None},
        ),
        (GuaranteeClaim, col(GuaranteeClaim.lease_id).in_(leases), {"note": None}),
    )
    for model, where, values in updates:
        session.execute(
            sa.update(model).where(where).values(**values),
            execution_options={"synchronize_session": False},
        )


def _neutral_audit_reasons(session: Session, ids: list[int]) -> None:
    """Reasons in the audit log of the household, its proposals and its leases keep only a
    code: "moved: <note>" becomes "moved"; a free sentence (a sign-off's or a withdrawal's
    reason) becomes neutral."""
    entities = (
        (ENTITY, sa.select(col(Household.id)).where(col(Household.id).in_(ids))),
        ("match", sa.select(col(Match.id)).where(col(Match.household_id).in_(ids))),
        (LEASE_ENTITY, sa.select(col(Lease.id)).where(col(Lease.household_id).in_(ids))),
    )
    for entity, entity_ids in entities:
        query = select(AuditEntry).where(
            col(AuditEntry.entity) == entity,
            col(AuditEntry.entity_id).in_(entity_ids),
            col(AuditEntry.reason).is_not(None),
        )
        for entry in session.exec(query).all():
            entry.reason = neutral_reason(entry.reason or "")
            session.add(entry)


def neutral_reason(reason: str) -> str:
    """The code of a reason ("moved: to her sister's" → "moved"), or a neutral text when it
    is free text."""
    code = reason.partition(": ")[0]
    return code if _CODE.fullmatch(code) else NEUTRAL_TEXT


_CODE = re.compile(r"[a-z][a-z0-9_]*")
LEASE_ENTITY = "lease"  # as agency.services.leases records it
# Keys of a notification's or an e-mail's context that may hold typed text.
_FREE_TEXT_KEYS = ("reason", "note")


def _neutral_message_texts(session: Session, ids: list[int]) -> None:
    """Typed text copied into in-app notifications and e-mails about the household's
    proposals, leases and visits (a rejection's reason, say) is replaced; an e-mail shares
    its event key with the notification of the same event."""
    links = _links(_related_ids(session, ids))
    notes = session.exec(select(Notification).where(col(Notification.link).in_(links))).all()
    keys = {n.event_key for n in notes}
    mails = session.exec(select(OutboxMessage).where(col(OutboxMessage.event_key).in_(keys))).all()
    for note in notes:
        _neutral_context(session, note)
    for mail in mails:
        _neutral_context(session, mail)


def _neutral_context(session: Session, message: Notification | OutboxMessage) -> None:
    context = dict(message.context or {})
    if any(context.get(key) for key in _FREE_TEXT_KEYS):
        neutral = {key: NEUTRAL_TEXT for key in _FREE_TEXT_KEYS if key in context}
        message.context = context | neutral
        session.add(message)


def retention_cutoff(now: datetime, years: int) -> datetime:
    """The moment before which a closed household has been closed longer than `years`."""
    today = now.astimezone(UTC).date()
    return now - (today - add_months(today, -12 * years))


def pseudonymise_expired(session: Session, *, now: datetime, years: int) -> int:
    """Pseudonymise every household closed before the retention cut-off and not yet
    pseudonymised; returns how many (a second run the same day finds none)."""
    if years < 1:
        raise InvalidInput("The retention period is at least one year.", field="years")
    query = (
        select(Household.id)
        .where(
            col(Household.status) == HouseholdStatus.closed,
            col(Household.closed_at) < retention_cutoff(now, years),
            col(Household.pseudonymised_at).is_(None),
        )
        .order_by(col(Household.id))
    )
    ids = [int(i or 0) for i in session.exec(query).all()]
    for start in range(0, len(ids), CHUNK):
        erase(
            session,
            ids[start : start + CHUNK],
            actor_id=None,
            reason="retention period ended",
            now=now,
        )
    session.expire_all()
    return len(ids)


# --- withdrawal of consent -------------------------------------------------------------------


def withdraw_consent(
    session: Session, *, actor: User, household_id: int, on: date, today: date, now: datetime
) -> Household:
    """Record that the household withdrew its consent on `on`: its open proposal or offer is
    withdrawn in the same transaction, and from now on it is not matched, offered, visited
    or notified about. Its data are kept until erasure."""
    household = get_household(session, actor=actor, household_id=household_id)
    require_not_pseudonymised(household)
    if household.consent_withdrawn_on is not None:
        raise Conflict("The withdrawal of consent is recorded already.")
    if on > today:
        raise InvalidInput("The date cannot be in the future.", field="withdrawn_on")
    if on < household.consent_on:
        raise InvalidInput("Consent cannot be withdrawn before it was given.", field="withdrawn_on")
    release_open_matches(
        session, actor_id=actor.id, reason="consent withdrawn", now=now, household_id=household_id
    )
    household.consent_withdrawn_on = on
    session.add(household)
    record_audit(
        session,
        actor_id=actor.id,
        action=AuditAction.update,
        entity=ENTITY,
        entity_id=household_id,
        reason="consent_withdrawn",
        details={"consent_withdrawn_on": on.isoformat()},
    )
    session.flush()
    return household
