"""Leases with their renewals, and the rent ledger: charges, payments, guarantee claims."""

from __future__ import annotations

from datetime import date, timedelta

from agency.demo.context import DemoContext, at, ident
from agency.demo.story import MatchPlan, Story
from agency.demo.texts import GUARANTEE_DIRECT, GUARANTEE_SUBLEASE
from agency.enums import (
    ClaimKind,
    DepositPayer,
    LeaseEndReason,
    LeaseModel,
    LeaseStatus,
    PaymentSource,
)
from agency.models import GuaranteeClaim, Lease, LeaseRenewal, RentCharge, RentPayment
from agency.rules import add_months, month_start

END_NOTES: dict[LeaseEndReason, str] = {
    LeaseEndReason.regular_end: "Nájem skončil uplynutím doby, domácnost si našla vlastní byt.",
    LeaseEndReason.moved_on: "Domácnost se přestěhovala do obecního bytu.",
    LeaseEndReason.landlord_arrears: "Výpověď pronajímatele pro dluh na nájemném.",
    LeaseEndReason.landlord_conflict: "Výpověď pronajímatele po opakovaných sporech se sousedy.",
    LeaseEndReason.landlord_damage: "Výpověď pronajímatele pro poškození bytu.",
    LeaseEndReason.by_tenant: "Domácnost vypověděla nájem, odstěhovala se k rodině.",
}
ARREARS_LEASES = 4
LATE_LEASES = 4
DUE_DAY = 5


def leased(story: Story) -> list[MatchPlan]:
    return [plan for plan in story.matches if plan.lease is not None]


def add_leases(ctx: DemoContext, story: Story) -> int:
    plans = leased(story)
    for plan in plans:
        plan.lease_row = _lease(ctx, plan)
    ctx.session.add_all([plan.lease_row for plan in plans])
    ctx.session.flush()
    renewals = [r for plan in plans for r in _renewals(ctx, plan)]
    ctx.session.add_all(renewals)
    return len(plans) + len(renewals)


def _lease(ctx: DemoContext, plan: MatchPlan) -> Lease:
    assert plan.lease is not None and plan.row is not None
    flat, household, lease = plan.flat.row, plan.household.row, plan.lease
    model = LeaseModel.direct if ctx.rng.random() < 0.7 else LeaseModel.sublease
    ended = lease.end_reason is not None
    return Lease(
        flat_id=ident(flat),
        household_id=ident(household),
        match_id=plan.row.id,
        model=model,
        start_date=lease.start,
        end_date=add_months(lease.start, flat.min_lease_months) - timedelta(days=1),
        rent=flat.rent,
        services=flat.services,
        deposit=flat.deposit,
        deposit_paid_by=_deposit_payer(ctx, household.deposit_available, flat.deposit),
        guarantee_terms=GUARANTEE_DIRECT if model == LeaseModel.direct else GUARANTEE_SUBLEASE,
        status=LeaseStatus.ended if ended else LeaseStatus.active,
        end_reason=lease.end_reason,
        ended_on=lease.ended_on,
        end_note=END_NOTES.get(lease.end_reason) if lease.end_reason else None,
        created_at=at(lease.start - timedelta(days=3)),
    )


def _deposit_payer(ctx: DemoContext, available: int, deposit: int) -> DepositPayer:
    if available >= deposit:
        return DepositPayer.household
    return DepositPayer.agency_fund if ctx.rng.random() < 0.7 else DepositPayer.benefit


def _renewals(ctx: DemoContext, plan: MatchPlan) -> list[LeaseRenewal]:
    """Renew the fixed term by a year until it covers today (or the lease's end)."""
    row = plan.lease_row
    assert row is not None and row.end_date is not None
    if row.end_reason == LeaseEndReason.regular_end and row.ended_on is not None:
        row.end_date = max(row.ended_on, row.start_date + timedelta(days=1))
    horizon = row.ended_on or ctx.today
    renewals: list[LeaseRenewal] = []
    while row.end_date < horizon:
        new_end = add_months(row.end_date, 12)
        renewals.append(_renewal(ctx, row, new_end))
        row.end_date = new_end
    return renewals


def _renewal(ctx: DemoContext, lease: Lease, new_end: date) -> LeaseRenewal:
    assert lease.end_date is not None
    return LeaseRenewal(
        lease_id=ident(lease),
        previous_end=lease.end_date,
        new_end=new_end,
        renewed_by_id=ctx.rng.choice(ctx.staff()).id,
        created_at=at(lease.end_date - timedelta(days=ctx.rng.randint(20, 40))),
    )


def add_ledger(ctx: DemoContext, story: Story) -> int:
    """Monthly charges from each lease's start; payments mostly on time, some in arrears."""
    leases = [plan.lease_row for plan in leased(story) if plan.lease_row is not None]
    active = [lease for lease in leases if lease.status == LeaseStatus.active]
    active.sort(key=lambda lease: lease.start_date)
    arrears = set(map(id, active[:ARREARS_LEASES]))
    late = set(map(id, active[ARREARS_LEASES : ARREARS_LEASES + LATE_LEASES]))
    rows: list[RentCharge | RentPayment | GuaranteeClaim] = []
    for lease in leases:
        in_arrears = id(lease) in arrears or lease.end_reason == LeaseEndReason.landlord_arrears
        charges = _charges(ctx, lease)
        rows += charges
        rows += _payments(ctx, lease, charges, in_arrears, id(lease) in late)
    rows += _claims(ctx, leases, active[:1])
    ctx.session.add_all(rows)
    return len(rows)


def _charges(ctx: DemoContext, lease: Lease) -> list[RentCharge]:
    last = lease.ended_on or ctx.today
    period, charges = month_start(lease.start_date), []
    while period <= last:
        due = period + timedelta(days=DUE_DAY - 1)
        charges.append(
            RentCharge(
                lease_id=ident(lease),
                period=period,
                amount=lease.rent + lease.services,
                due_on=due,
                created_at=at(period, 3),
            )
        )
        period = add_months(period, 1)
    return charges


def _payments(
    ctx: DemoContext, lease: Lease, charges: list[RentCharge], in_arrears: bool, late: bool
) -> list[RentPayment]:
    unpaid_from = len(charges) - ctx.rng.randint(2, 3) if in_arrears else len(charges)
    payments: list[RentPayment] = []
    for index, charge in enumerate(charges):
        amount = charge.amount if index < unpaid_from else charge.amount // 2 * (index % 2)
        delay = ctx.rng.randint(5, 20) if late and ctx.rng.random() < 0.3 else 0
        paid_on = charge.due_on - timedelta(days=ctx.rng.randint(0, 4)) + timedelta(delay)
        if amount > 0 and paid_on <= ctx.today:
            payments.append(_payment(ctx, lease, charge.period, paid_on, amount))
    return payments


def _payment(
    ctx: DemoContext, lease: Lease, period: date, paid_on: date, amount: int
) -> RentPayment:
    by_bank = ctx.rng.random() < 0.75
    return RentPayment(
        lease_id=ident(lease),
        paid_on=paid_on,
        amount=amount,
        source=PaymentSource.bank_import if by_bank else PaymentSource.manual,
        bank_reference=f"VS{lease.id:05d}{period:%Y%m}" if by_bank else None,
        note=None if by_bank else "Hotově na pokladně agentury.",
        recorded_by_id=None if by_bank else ctx.rng.choice(ctx.staff()).id,
        created_at=at(paid_on, 17),
    )


def _claims(
    ctx: DemoContext, leases: list[Lease], open_arrears: list[Lease]
) -> list[GuaranteeClaim]:
    claims = []
    for lease in leases:
        if lease.end_reason == LeaseEndReason.landlord_arrears and lease.ended_on:
            claims.append(_claim(ctx, lease, ClaimKind.rent, lease.ended_on - timedelta(20)))
        if lease.end_reason == LeaseEndReason.landlord_damage and lease.ended_on:
            claims.append(_claim(ctx, lease, ClaimKind.damage, lease.ended_on + timedelta(10)))
    claims += [
        _claim(ctx, lease, ClaimKind.rent, ctx.today - timedelta(10)) for lease in open_arrears
    ]
    return claims


def _claim(ctx: DemoContext, lease: Lease, kind: ClaimKind, claimed: date) -> GuaranteeClaim:
    claimed = max(lease.start_date, min(claimed, ctx.today))
    paid = claimed + timedelta(days=12)
    amount = 18000 if kind == ClaimKind.damage else lease.rent + lease.services
    return GuaranteeClaim(
        lease_id=ident(lease),
        kind=kind,
        claimed_on=claimed,
        amount=amount,
        paid_on=paid if paid <= ctx.today else None,
        note="Oprava podlahy a dveří po vystěhování."
        if kind == ClaimKind.damage
        else "Plnění garance za neuhrazené nájemné.",
        recorded_by_id=ctx.rng.choice(ctx.staff()).id,
        created_at=at(claimed, 12),
    )
