"""The stored ledger balance of a lease (kept by triggers) and the arrears read from it."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, select

from agency.models import Lease, RentCharge, RentPayment
from agency.services.rent import (
    arrears_column,
    arrears_stored,
    charge_rent,
    import_statement,
    owing_more_than,
    parse_statement,
    record_payment,
)
from tests.factories import Factory
from tests.integration.test_rent import NOW, _lease


def _balances(session: Session) -> dict[int, tuple[int, int]]:
    """Each lease's stored balance and its ledger summed afresh."""
    charged = (
        sa.select(sa.func.coalesce(sa.func.sum(RentCharge.amount), 0))
        .where(col(RentCharge.lease_id) == col(Lease.id))
        .scalar_subquery()
    )
    paid = (
        sa.select(sa.func.coalesce(sa.func.sum(RentPayment.amount), 0))
        .where(col(RentPayment.lease_id) == col(Lease.id))
        .scalar_subquery()
    )
    query = sa.select(col(Lease.id), col(Lease.ledger_balance), charged - paid)
    return {int(i): (int(stored), int(summed)) for i, stored, summed in session.execute(query)}


def _assert_in_step(session: Session) -> None:
    session.flush()
    balances = _balances(session)
    assert all(stored == summed for stored, summed in balances.values()), balances


def test_every_writer_keeps_the_stored_balance(session: Session, factory: Factory) -> None:
    lease, other = _lease(factory), _lease(factory)
    _assert_in_step(session)
    charge_rent(session, month=date(2026, 2, 1), now=NOW)
    charge_rent(session, month=date(2026, 3, 1), now=NOW)
    _assert_in_step(session)
    assert _balances(session)[lease.id or 0][0] == 23000
    record_payment(session, lease=lease, amount=9000, paid_on=date(2026, 2, 4), reference="P1")
    _assert_in_step(session)
    text = f"4. 3. 2026;11500;{other.id};BANK-1;\n5. 3. 2026;2000;{lease.id};BANK-2;"
    assert import_statement(session, rows=parse_statement(session, text), actor_id=None) == 2
    _assert_in_step(session)
    assert _balances(session)[lease.id or 0][0] == 23000 - 9000 - 2000
    payment = session.exec(select(RentPayment).where(RentPayment.bank_reference == "P1")).one()
    payment.amount, payment.lease_id = 4000, other.id or 0  # a correction moves it
    session.add(payment)
    _assert_in_step(session)
    charge = session.exec(select(RentCharge).where(RentCharge.lease_id == other.id)).first()
    assert charge is not None
    session.delete(charge)
    _assert_in_step(session)
    assert _balances(session)[other.id or 0][0] == 11500 - 11500 - 4000


def _both(session: Session, today: date) -> dict[int, tuple[int, int]]:
    query, owed = arrears_stored(sa.select(col(Lease.id), arrears_column(today)), today)
    rows = session.execute(query.add_columns(owed)).all()
    return {int(i): (int(summed), int(stored)) for i, summed, stored in rows}


def test_stored_arrears_match_the_ledger_sums_before_and_after_the_due_day(
    session: Session, factory: Factory
) -> None:
    owing, paid_ahead, fresh = _lease(factory), _lease(factory), _lease(factory)
    unpaid = _lease(factory, start_date=date(2026, 4, 1))
    for month in (2, 3, 4):
        charge_rent(session, month=date(2026, month, 1), now=NOW)
    record_payment(session, lease=owing, amount=5000, paid_on=date(2026, 2, 6), reference=None)
    record_payment(
        session, lease=paid_ahead, amount=60000, paid_on=date(2026, 2, 1), reference=None
    )
    record_payment(session, lease=fresh, amount=23000, paid_on=date(2026, 3, 3), reference=None)
    session.flush()
    for today in (date(2026, 1, 31), date(2026, 3, 4), date(2026, 4, 2), date(2026, 4, 5)):
        both = _both(session, today)
        assert all(summed == stored for summed, stored in both.values()), (today, both)
    # On 2 April April's charge exists but is not due: `fresh` owes nothing yet.
    assert _both(session, date(2026, 4, 2))[fresh.id or 0] == (0, 0)
    assert _both(session, date(2026, 4, 5))[unpaid.id or 0] == (11500, 11500)
    assert _both(session, date(2026, 4, 5))[paid_ahead.id or 0] == (-25500, -25500)


def test_owing_more_than_picks_the_same_leases_as_the_ledger_sums(
    session: Session, factory: Factory
) -> None:
    leases = [_lease(factory) for _ in range(4)]
    for month in (2, 3):
        charge_rent(session, month=date(2026, month, 1), now=NOW)
    for lease, amount in zip(leases, (23000, 11500, 1, 30000), strict=True):
        record_payment(
            session, lease=lease, amount=amount, paid_on=date(2026, 2, 2), reference=None
        )
    session.flush()
    for today, limit in ((date(2026, 3, 4), 0), (date(2026, 3, 5), 0), (date(2026, 3, 5), 11500)):
        query, owed = arrears_stored(sa.select(col(Lease.id)), today)
        picked = set(session.execute(query.where(owing_more_than(owed, limit))).scalars())
        expected = set(
            session.execute(sa.select(col(Lease.id)).where(arrears_column(today) > limit)).scalars()
        )
        assert picked == expected, (today, limit)
    query, owed = arrears_stored(sa.select(col(Lease.id)), date(2026, 3, 5))
    assert set(session.execute(query.where(owing_more_than(owed, 11500))).scalars()) == {
        leases[2].id
    }
