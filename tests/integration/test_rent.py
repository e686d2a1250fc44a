"""The rent ledger: idempotent charges, payments, arrears, bank statements, claims."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, select

from agency.enums import ClaimKind, LeaseStatus, PaymentSource
from agency.errors import Conflict, InvalidInput
from agency.models import Lease, RentCharge, RentPayment
from agency.services.rent import (
    arrears_by_lease,
    charge_rent,
    decode_statement,
    import_statement,
    lease_arrears,
    leases_in_arrears,
    parse_statement,
    record_claim,
    record_payment,
)
from tests.factories import Factory

NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def _lease(factory: Factory, **values: object) -> Lease:
    return factory.lease(factory.flat(), factory.household(), **values)


def test_charges_are_created_once_per_lease_and_month(session: Session, factory: Factory) -> None:
    lease = _lease(factory)  # 1. 2. 2026 – 31. 1. 2027, 9000 + 2500
    later = _lease(factory, start_date=date(2026, 4, 1))
    ended = _lease(factory, status=LeaseStatus.ended, end_reason="by_tenant")
    assert charge_rent(session, month=date(2026, 3, 15), now=NOW) == 1
    assert charge_rent(session, month=date(2026, 3, 1), now=NOW) == 0
    charges = session.exec(select(RentCharge).where(RentCharge.period == date(2026, 3, 1))).all()
    assert [(c.lease_id, c.amount, c.due_on) for c in charges] == [
        (lease.id, 11500, date(2026, 3, 5))
    ]
    assert later.id not in {c.lease_id for c in charges} and ended.id != charges[0].lease_id


def test_arrears_are_charges_due_minus_payments(session: Session, factory: Factory) -> None:
    lease, other = _lease(factory), _lease(factory)
    for month in (2, 3, 4):
        charge_rent(session, month=date(2026, month, 1), now=NOW)
    record_payment(session, lease=lease, amount=11500, paid_on=date(2026, 2, 4), reference=None)
    record_payment(session, lease=lease, amount=5000, paid_on=date(2026, 3, 6), reference="B1")
    assert lease_arrears(session, today=date(2026, 3, 10), lease_id=lease.id or 0) == 6500
    # April's charge is not due until 5 April.
    assert lease_arrears(session, today=date(2026, 4, 4), lease_id=lease.id or 0) == 6500
    assert lease_arrears(session, today=date(2026, 4, 5), lease_id=lease.id or 0) == 18000
    owed = arrears_by_lease(session, today=date(2026, 3, 10), lease_ids=[lease.id, other.id])
    assert owed == {lease.id: 6500, other.id: 23000}
    assert {i for i, _, _ in leases_in_arrears(session, today=date(2026, 3, 10))} >= {
        lease.id,
        other.id,
    }


def test_payments_refuse_bad_amounts_and_used_references(
    session: Session, factory: Factory
) -> None:
    lease = _lease(factory)
    with pytest.raises(InvalidInput) as bad:
        record_payment(session, lease=lease, amount=0, paid_on=date(2026, 2, 4), reference=None)
    assert bad.value.field == "amount"
    record_payment(session, lease=lease, amount=100, paid_on=date(2026, 2, 4), reference="R-1")
    with pytest.raises(Conflict):
        record_payment(session, lease=lease, amount=100, paid_on=date(2026, 2, 5), reference="R-1")


STATEMENT = (
    "Datum;Částka;VS;Reference;Poznámka\n"
    "03.03.2026;11 500,00;{vs};REF-1;Nájem březen – Řehořová\n"
    "32.03.2026;100;{vs};REF-2;\n"
    "04.03.2026;abc;{vs};REF-3;\n"
    "05.03.2026;500;999999;REF-4;\n"
    "06.03.2026;700;{vs};REF-1;\n"
    "07.03.2026;800;;VS{vs} REF-5;\n"
    "08.03.2026;900;{vs};OLD;\n"
)


@pytest.mark.parametrize("encoding", ["utf-8", "cp1250"])
def test_statement_rows_are_matched_or_refused_with_a_reason(
    session: Session, factory: Factory, encoding: str
) -> None:
    lease = _lease(factory)
    record_payment(session, lease=lease, amount=1, paid_on=date(2026, 2, 4), reference="OLD")
    text = decode_statement(STATEMENT.format(vs=lease.id).encode(encoding))
    rows = parse_statement(session, text)
    assert [(r.line, r.error) for r in rows] == [
        (2, None),
        (3, "The date is not valid."),
        (4, "The amount is not valid."),
        (5, "No lease has this variable symbol."),
        (6, "This bank reference has been recorded already."),
        (7, None),
        (8, "This bank reference has been recorded already."),
    ]
    assert rows[0].amount == 11500 and rows[0].note == "Nájem březen – Řehořová"
    assert rows[5].lease_id == lease.id
    assert import_statement(session, rows=rows, actor_id=None) == 2
    imported = session.exec(
        select(RentPayment).where(RentPayment.source == PaymentSource.bank_import)
    ).all()
    assert sorted((p.bank_reference, p.amount) for p in imported) == [
        ("REF-1", 11500),
        (f"VS{lease.id} REF-5", 800),
    ]
    # Importing the same statement again adds nothing: every reference is known now.
    assert all(not r.ok for r in parse_statement(session, text))


def test_fractional_and_negative_amounts_are_refused(session: Session, factory: Factory) -> None:
    lease = _lease(factory)
    text = (
        f"2026-03-03;10,50;{lease.id};A;\n2026-03-03;-500;{lease.id};B;\n2026-03-03;42;{lease.id};;"
    )
    rows = parse_statement(session, text)
    assert [r.error for r in rows] == [
        "The amount is not valid.",
        "The amount is not valid.",
        "The bank reference is missing.",
    ]


def test_guarantee_claims(session: Session, factory: Factory) -> None:
    lease = _lease(factory)
    claim = record_claim(
        session, lease=lease, kind=ClaimKind.rent, claimed_on=date(2026, 5, 1), amount=11500
    )
    assert claim.id is not None and claim.paid_on is None
    with pytest.raises(InvalidInput) as bad:
        record_claim(
            session,
            lease=lease,
            kind=ClaimKind.damage,
            claimed_on=date(2026, 5, 1),
            amount=100,
            paid_on=date(2026, 4, 1),
        )
    assert bad.value.field == "paid_on"
