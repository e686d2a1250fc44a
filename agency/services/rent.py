"""The rent ledger: monthly charges, payments, arrears and guarantee claims.

Arrears of a lease = charges already due − payments, computed in SQL for many leases at once.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from agency.enums import ClaimKind, LeaseStatus, PaymentSource
from agency.errors import Conflict, InvalidInput
from agency.models import GuaranteeClaim, Lease, RentCharge, RentPayment
from agency.rules import month_start

AnySelect = sa.Select[*tuple[Any, ...]]
DUE_DAY = 5  # rent is due on the 5th of the month it is charged for


def next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def charge_rent(session: Session, *, month: date, now: datetime) -> int:
    """Charge rent + services for `month` to every lease active in it that has no charge for
    it yet; returns how many charges were created (a second run creates none)."""
    period = month_start(month)
    already = select(RentCharge.lease_id).where(RentCharge.period == period)
    query = select(Lease).where(
        col(Lease.start_date) < next_month(period),
        sa.or_(col(Lease.end_date).is_(None), col(Lease.end_date) >= period),
        sa.or_(col(Lease.ended_on).is_(None), col(Lease.ended_on) >= period),
        col(Lease.status) == LeaseStatus.active,
        col(Lease.id).not_in(already),
    )
    leases = session.exec(query.order_by(col(Lease.id))).all()
    due = period + timedelta(days=DUE_DAY - 1)
    for lease in leases:
        charge = RentCharge(
            lease_id=int(lease.id or 0),
            period=period,
            amount=lease.rent + lease.services,
            due_on=due,
            created_at=now,
        )
        session.add(charge)
    session.flush()
    return len(leases)


def arrears_column(today: date) -> sa.ColumnElement[int]:
    """What the lease of the enclosing query owes on `today`: its charges due by then minus
    its payments, as two correlated sums (each found through its lease_id index)."""
    charged = (
        sa.select(sa.func.coalesce(sa.func.sum(RentCharge.amount), 0))
        .where(col(RentCharge.lease_id) == col(Lease.id), col(RentCharge.due_on) <= today)
        .correlate(Lease)
        .scalar_subquery()
    )
    paid = (
        sa.select(sa.func.coalesce(sa.func.sum(RentPayment.amount), 0))
        .where(col(RentPayment.lease_id) == col(Lease.id))
        .correlate(Lease)
        .scalar_subquery()
    )
    return charged - paid


def arrears_stored(query: AnySelect, today: date) -> tuple[AnySelect, sa.ColumnElement[int]]:
    """The same figure as `arrears_column` for queries over many leases: `query` (with Lease
    in its FROM) outer-joined to the charges not yet due on `today`, and the arrears column
    = the lease's stored ledger balance (every charge minus every payment, kept by triggers)
    minus those charges. Usually no charge is pending, so no ledger is summed per lease."""
    pending = pending_charges(today)
    owed = col(Lease.ledger_balance) - sa.func.coalesce(pending.c.amount, 0)
    return query.outerjoin(pending, pending.c.lease_id == col(Lease.id)), owed


def pending_charges(today: date | sa.BindParameter[date]) -> sa.Subquery:
    """Per lease (lease_id), the sum (amount) of its charges not yet due on `today`; usually
    none at all. A stored balance minus these is what the lease owes on `today`."""
    return (
        sa.select(col(RentCharge.lease_id), sa.func.sum(RentCharge.amount).label("amount"))
        .where(col(RentCharge.due_on) > today)
        .group_by(col(RentCharge.lease_id))
        .subquery("pending")
    )


def owing_more_than(owed: sa.ColumnElement[int], limit: Any) -> sa.ColumnElement[bool]:
    """`owed` (from `arrears_stored`) above `limit` (never negative), with the balance above
    zero too: implied, as charges are never negative, and a condition an index can use."""
    return sa.and_(col(Lease.ledger_balance) > 0, owed > limit)


def arrears_by_lease(session: Session, *, today: date, lease_ids: Iterable[int]) -> dict[int, int]:
    """What each of `lease_ids` owes on `today` (negative when paid ahead)."""
    ids = list(lease_ids)
    if not ids:
        return {}
    query = sa.select(col(Lease.id), arrears_column(today)).where(col(Lease.id).in_(ids))
    return {int(i): int(a) for i, a in session.execute(query).all()}


def lease_arrears(session: Session, *, today: date, lease_id: int) -> int:
    return arrears_by_lease(session, today=today, lease_ids=[lease_id]).get(lease_id, 0)


def leases_in_arrears(session: Session, *, today: date) -> list[tuple[int, int, int]]:
    """(lease_id, arrears, monthly amount) of the active leases that owe anything."""
    owed = arrears_column(today)
    query = (
        sa.select(col(Lease.id), owed, col(Lease.rent) + col(Lease.services))
        .where(col(Lease.status) == LeaseStatus.active, owed > 0)
        .order_by(col(Lease.id))
    )
    return [(int(i), int(a), int(m)) for i, a, m in session.execute(query).all()]


def record_payment(
    session: Session,
    *,
    lease: Lease,
    amount: int,
    paid_on: date,
    reference: str | None,
    note: str | None = None,
    source: PaymentSource = PaymentSource.manual,
    actor_id: int | None = None,
) -> RentPayment:
    """Record a payment of rent for `lease`; a bank reference may be used only once."""
    if amount <= 0:
        raise InvalidInput("The amount must be more than zero.", field="amount")
    if paid_on < lease.start_date - timedelta(days=62):
        raise InvalidInput("The payment date is before the lease.", field="paid_on")
    reference = (reference or "").strip() or None
    if reference and _reference_used(session, reference):
        raise Conflict("This bank reference has been recorded already.", field="reference")
    payment = RentPayment(
        lease_id=int(lease.id or 0),
        paid_on=paid_on,
        amount=amount,
        source=source,
        bank_reference=reference[:100] if reference else None,
        note=(note or "").strip()[:500] or None,
        recorded_by_id=actor_id,
    )
    session.add(payment)
    session.flush()
    return payment


def _reference_used(session: Session, reference: str) -> bool:
    query = select(RentPayment.id).where(RentPayment.bank_reference == reference)
    return session.exec(query).first() is not None


def lease_ledger(
    session: Session, *, lease_id: int
) -> tuple[list[RentCharge], list[RentPayment], list[GuaranteeClaim]]:
    """The lease's charges, payments and guarantee claims, newest first (three queries)."""
    charges = select(RentCharge).where(RentCharge.lease_id == lease_id)
    payments = select(RentPayment).where(RentPayment.lease_id == lease_id)
    claims = select(GuaranteeClaim).where(GuaranteeClaim.lease_id == lease_id)
    return (
        list(session.exec(charges.order_by(col(RentCharge.period).desc())).all()),
        list(session.exec(payments.order_by(col(RentPayment.paid_on).desc())).all()),
        list(session.exec(claims.order_by(col(GuaranteeClaim.claimed_on).desc())).all()),
    )


def record_claim(
    session: Session,
    *,
    lease: Lease,
    kind: ClaimKind,
    claimed_on: date,
    amount: int,
    paid_on: date | None = None,
    note: str | None = None,
    actor_id: int | None = None,
) -> GuaranteeClaim:
    """Record what the agency paid (or is to pay) the landlord under its guarantee."""
    if amount <= 0:
        raise InvalidInput("The amount must be more than zero.", field="amount")
    if paid_on is not None and paid_on < claimed_on:
        raise InvalidInput("A claim cannot be paid before it was made.", field="paid_on")
    claim = GuaranteeClaim(
        lease_id=int(lease.id or 0),
        kind=kind,
        claimed_on=claimed_on,
        amount=amount,
        paid_on=paid_on,
        note=(note or "").strip()[:1000] or None,
        recorded_by_id=actor_id,
    )
    session.add(claim)
    session.flush()
    return claim


# --- bank statement import ------------------------------------------------------------------

MAX_STATEMENT_BYTES = 1_000_000
_VS_IN_TEXT = re.compile(r"VS\s*0*(\d{1,9})", re.IGNORECASE)
_DATE_CZ = re.compile(r"^(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4})$")


@dataclass(frozen=True)
class StatementRow:
    """One line of a bank statement: matched to a lease, or an error (an English msgid)."""

    line: int
    raw: str
    paid_on: date | None = None
    amount: int | None = None
    reference: str | None = None
    note: str | None = None
    lease_id: int | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def decode_statement(data: bytes) -> str:
    """UTF-8 (with or without a BOM) when it decodes, else cp1250 (Czech bank exports)."""
    if len(data) > MAX_STATEMENT_BYTES:
        raise InvalidInput("The file is too large.", field="statement")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1250", errors="replace")


def parse_statement(session: Session, text: str) -> list[StatementRow]:
    """Rows of `date;amount;variable symbol;reference;note` (a header line is skipped),
    each matched to a lease by the variable symbol (the lease id) or a `VS…` reference."""
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    if lines and _parse_date(lines[0][1].split(";")[0].strip().strip('"')) is None:
        lines = lines[1:]  # the header
    rows = [_parse_line(n, line) for n, line in lines]
    return _check_rows(session, rows)


def _parse_line(number: int, line: str) -> StatementRow:
    cells = [c.strip().strip('"').strip() for c in next(csv.reader([line], delimiter=";"))]
    cells += [""] * (5 - len(cells))
    day, amount_text, symbol, reference, note = cells[:5]
    base = StatementRow(line=number, raw=line, reference=reference or None, note=note or None)
    paid_on = _parse_date(day)
    if paid_on is None:
        return replace(base, error="The date is not valid.")
    amount = _parse_amount(amount_text)
    if amount is None or amount <= 0:
        return replace(base, paid_on=paid_on, error="The amount is not valid.")
    lease_id = _lease_number(symbol, reference)
    if not reference:
        return replace(base, paid_on=paid_on, amount=amount, error="The bank reference is missing.")
    return replace(base, paid_on=paid_on, amount=amount, lease_id=lease_id)


def _parse_date(text: str) -> date | None:
    found = _DATE_CZ.match(text.strip())
    try:
        if found:
            return date(int(found[3]), int(found[2]), int(found[1]))
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _parse_amount(text: str) -> int | None:
    cleaned = re.sub(r"[\s\u00a0]|Kč|CZK", "", text).replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not value.is_finite() or value != value.to_integral_value() or abs(value) > 10**9:
        return None  # whole crowns only: the ledger keeps whole CZK
    return int(value)


def _lease_number(symbol: str, reference: str) -> int | None:
    digits = symbol.lstrip("0")
    if digits.isdigit() and len(digits) <= 9:
        return int(digits)
    found = _VS_IN_TEXT.search(reference)
    return int(found[1]) if found else None


def _check_rows(session: Session, rows: list[StatementRow]) -> list[StatementRow]:
    """Unknown leases and references already recorded (or repeated in the file) are errors."""
    ids = {r.lease_id for r in rows if r.ok and r.lease_id is not None}
    known = (
        set(session.exec(select(Lease.id).where(col(Lease.id).in_(ids))).all()) if ids else set()
    )
    refs = {r.reference for r in rows if r.ok and r.reference}
    query = select(RentPayment.bank_reference).where(col(RentPayment.bank_reference).in_(refs))
    used = set(session.exec(query).all()) if refs else set()
    seen: set[str] = set()
    checked = []
    for row in rows:
        if row.ok and (row.lease_id is None or row.lease_id not in known):
            row = replace(row, error="No lease has this variable symbol.")
        elif row.ok and (row.reference in used or row.reference in seen):
            row = replace(row, error="This bank reference has been recorded already.")
        if row.ok and row.reference:
            seen.add(row.reference)
        checked.append(row)
    return checked


def import_statement(session: Session, *, rows: list[StatementRow], actor_id: int | None) -> int:
    """Record the good rows as bank payments (all in the caller's one transaction).

    Inserted in lease order: each payment's trigger updates its lease's balance and so
    locks that row, and the charge job locks them in the same order, so the two never wait
    for each other in a cycle."""
    good = sorted((row for row in rows if row.ok), key=lambda row: row.lease_id or 0)
    for row in good:
        session.add(
            RentPayment(
                lease_id=row.lease_id or 0,
                paid_on=row.paid_on or date.min,
                amount=row.amount or 0,
                source=PaymentSource.bank_import,
                bank_reference=(row.reference or "")[:100],
                note=(row.note or "")[:500] or None,
                recorded_by_id=actor_id,
            )
        )
    session.flush()
    return len(good)
