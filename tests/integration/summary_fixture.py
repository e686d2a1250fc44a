"""A small agency whose summary for H1 2026 can be counted by hand (see each comment).

Plzeň (ORP 3209, kraj CZ032) holds almost everything; one household and one barrier in
Praha (ORP 1000) show the scope at work. Names and streets are distinctive so that a test
can search the published summary for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col

from agency.enums import (
    BarrierSource,
    BarrierStage,
    FlatStatus,
    HouseholdCloseReason,
    HouseholdStatus,
    LeaseEndReason,
    LeaseStatus,
    MatchStatus,
    Party,
    UserRole,
    VettingDecision,
    VettingRejection,
)
from agency.models import (
    Barrier,
    BarrierCategory,
    Flat,
    Household,
    HouseholdArea,
    Intervention,
    Landlord,
    Lease,
    Match,
    RentCharge,
    RentPayment,
    SupportPlan,
    SupportPlanTemplate,
    SupportVisit,
    Vetting,
)
from tests.factories import Factory

PLZEN, PRAHA = 554791, 554782
ORP_PLZEN, ORP_PRAHA = 3209, 1000
START, END = date(2026, 1, 1), date(2026, 6, 30)
SECRET_NAMES = ("Zikmund Vondráček-Quargl", "Ludmila Přívozníková-Xerxes")
SECRET_STREETS = ("Quarglova 77", "Xerxova 13")


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


@dataclass
class Built:
    households: dict[str, Household]
    landlords: dict[str, Landlord]
    flats: dict[str, Flat]


def build(session: Session) -> Built:
    """Every record of the fixture; see the comments for the figures they make."""
    f = Factory(session)
    worker = f.user(UserRole.social_worker)
    landlords = {
        "A": f.landlord(name=SECRET_NAMES[1], created_at=at(date(2025, 1, 1))),
        "B": f.landlord(created_at=at(date(2026, 2, 1))),  # new in the period
        "C": f.landlord(created_at=at(date(2024, 1, 1))),  # lost: its leases end in the period
        "D": f.landlord(created_at=at(date(2024, 1, 1))),  # active: a flat offered
    }
    flats = _flats(f, landlords)
    households = _households(f, worker)
    _leases(session, flats, households)
    _vettings(session, f, flats)
    _matches(session, flats, households, worker.id)
    _visits(session, households)
    _barriers(session)
    session.flush()
    return Built(households, landlords, flats)


def _flats(f: Factory, ll: dict[str, Landlord]) -> dict[str, Flat]:
    spec = {  # name: (landlord, created on); offered in the period: F2, F3, FR
        "F1": ("A", date(2025, 12, 1)),
        "F2": ("B", date(2026, 1, 10)),
        "F3": ("B", date(2026, 2, 1)),
        "FR": ("D", date(2026, 3, 1)),
        "F5": ("A", date(2024, 1, 1)),
        "F6": ("A", date(2024, 1, 1)),
        "F8": ("C", date(2024, 1, 1)),
        "F9": ("C", date(2024, 1, 1)),
    }
    flats = {}
    for number, (name, (owner, created)) in enumerate(spec.items()):
        street = SECRET_STREETS[number % 2] + f"/{number}"
        flats[name] = f.flat(
            FlatStatus.available if name == "F3" else FlatStatus.let,
            landlord_id=ll[owner].id,
            created_at=at(created),
            street=street,
            rent=11_000 if name == "F3" else 9_000,  # F3: 13,500 with services, 1,500 over
        )
    return flats


def _households(f: Factory, worker: object) -> dict[str, Household]:
    spec = {  # name: (registered on, municipality, status)
        "H1": (date(2025, 10, 1), PLZEN, HouseholdStatus.housed),
        "H2": (date(2026, 1, 15), PLZEN, HouseholdStatus.housed),
        "H3": (date(2026, 2, 1), PLZEN, HouseholdStatus.waiting),
        "H4": (date(2026, 5, 1), PLZEN, HouseholdStatus.closed),
        "H5": (date(2024, 1, 1), PLZEN, HouseholdStatus.waiting),
        "H6": (date(2024, 6, 1), PLZEN, HouseholdStatus.housed),
        "H7": (date(2026, 3, 1), PRAHA, HouseholdStatus.waiting),
        "H8": (date(2025, 1, 1), PLZEN, HouseholdStatus.waiting),
        "H9": (date(2025, 2, 1), PLZEN, HouseholdStatus.waiting),
    }
    out = {}
    for number, (name, (registered, place, status)) in enumerate(spec.items()):
        closed = status == HouseholdStatus.closed
        out[name] = f.household(
            status,
            social_worker=worker,
            reference_name=SECRET_NAMES[number % 2],
            registered_on=registered,
            consent_on=registered,
            anchor_municipality_code=place,
            close_reason=HouseholdCloseReason.need_ended if closed else None,
            closed_at=at(date(2026, 6, 15)) if closed else None,
        )
        orp = ORP_PLZEN if place == PLZEN else ORP_PRAHA
        f.session.add(HouseholdArea(household_id=out[name].id, orp_code=orp))
    return out


def _leases(session: Session, fl: dict[str, Flat], hh: dict[str, Household]) -> None:
    ended = LeaseStatus.ended
    spec = [  # flat, household, start, ended on, reason
        ("F1", "H1", date(2026, 2, 1), None, None),  # 123 days after registration
        ("F2", "H2", date(2026, 3, 1), None, None),  # 45 days
        ("F5", "H5", date(2024, 3, 1), date(2024, 7, 1), LeaseEndReason.landlord_arrears),
        ("F6", "H6", date(2024, 7, 1), None, None),
        ("F8", "H8", date(2025, 3, 1), date(2026, 4, 30), LeaseEndReason.regular_end),
        ("F9", "H9", date(2025, 9, 1), date(2026, 1, 31), LeaseEndReason.landlord_conflict),
    ]
    for flat, household, start, ended_on, reason in spec:
        Factory(session).lease(
            fl[flat],
            hh[household],
            start_date=start,
            end_date=date(start.year + 3, start.month, 1),
            status=ended if ended_on else LeaseStatus.active,
            ended_on=ended_on,
            end_reason=reason,
        )
    session.flush()
    _ledger(session, _lease_ids(session, fl))


def _lease_ids(session: Session, fl: dict[str, Flat]) -> dict[str, int]:
    rows = session.execute(sa.select(col(Lease.flat_id), col(Lease.id))).all()
    by_flat = {flat_id: lease_id for flat_id, lease_id in rows}
    return {name: by_flat[f.id] for name, f in fl.items() if f.id in by_flat}


def _ledger(session: Session, lease: dict[str, int]) -> None:
    """F1's lease owes 5,000 at the period's end; F2's is paid (its July charge is later)."""
    for name, period, amount in (("F1", 5, 10_000), ("F2", 5, 9_000), ("F2", 7, 9_000)):
        session.add(
            RentCharge(
                lease_id=lease[name],
                period=date(2026, period, 1),
                amount=amount,
                due_on=date(2026, period, 5),
            )
        )
    for name, amount in (("F1", 5_000), ("F2", 9_000)):
        session.add(RentPayment(lease_id=lease[name], paid_on=date(2026, 5, 4), amount=amount))


def _vettings(session: Session, f: Factory, fl: dict[str, Flat]) -> None:
    inspector = f.user(UserRole.staff)
    for name, decision, day in (
        ("F2", VettingDecision.approved, date(2026, 1, 20)),
        ("FR", VettingDecision.rejected, date(2026, 3, 10)),
        ("F1", VettingDecision.approved, date(2025, 12, 10)),  # before the period
    ):
        rejected = decision == VettingDecision.rejected
        session.add(
            Vetting(
                flat_id=fl[name].id,
                inspector_id=inspector.id,
                inspection_date=day,
                ownership_checked=True,
                condition_ok=not rejected,
                gas_safety_ok=True,
                electrical_safety_ok=True,
                rent_within_cap=True,
                energy_costs_realistic=True,
                decision=decision,
                rejection_reason=VettingRejection.condition if rejected else None,
                decided_at=at(day),
            )
        )


def _matches(
    session: Session, fl: dict[str, Flat], hh: dict[str, Household], worker_id: object
) -> None:
    """Offered in the period: H1 (leased) and H3 (the landlord declined: rental history)."""
    session.add(
        Match(
            household_id=hh["H1"].id,
            flat_id=fl["F1"].id,
            proposed_by_id=worker_id,
            status=MatchStatus.leased,
            reviewed_at=at(date(2026, 1, 20)),
        )
    )
    session.add(
        Match(
            household_id=hh["H3"].id,
            flat_id=fl["F3"].id,
            proposed_by_id=worker_id,
            status=MatchStatus.declined,
            reviewed_at=at(date(2026, 3, 1)),
            declined_by=Party.landlord,
            landlord_reason="rental_history",
            landlord_answered_at=at(date(2026, 3, 3)),
        )
    )


def _visits(session: Session, hh: dict[str, Household]) -> None:
    """Done in the period: 2. Overdue at its end: the 20 June visit and the 1 June visit
    done only in July."""
    template = session.execute(sa.select(SupportPlanTemplate).limit(1)).scalar_one()
    lease_of = dict(session.execute(sa.select(col(Lease.household_id), col(Lease.id))).all())
    for name, visits in (
        ("H1", [(date(2026, 2, 8), date(2026, 2, 8)), (date(2026, 3, 1), date(2026, 3, 2))]),
        ("H1", [(date(2026, 6, 20), None), (date(2026, 7, 10), None)]),
        ("H6", [(date(2026, 6, 1), date(2026, 7, 2))]),
    ):
        household = hh[name]
        plan = session.execute(
            sa.select(SupportPlan).where(col(SupportPlan.lease_id) == lease_of[household.id])
        ).scalar()
        if plan is None:
            plan = SupportPlan(lease_id=lease_of[household.id], template_id=template.id)
            session.add(plan)
            session.flush()
        for planned, done in visits:
            session.add(
                SupportVisit(
                    plan_id=plan.id,
                    household_id=household.id,
                    social_worker_id=household.social_worker_id,
                    planned_on=planned,
                    done_on=done,
                )
            )


def _barriers(session: Session) -> None:
    """In Plzeň in the period: rent unaffordable (access) 3, one overcome by a rent
    guarantee; debts (sustain) 1, overcome by debt counselling; landlord discrimination
    (access) 1. Before the period: rent unaffordable 2, one overcome in the period by a rent
    guarantee. In Praha in the period: rent unaffordable (access) 1."""
    cat = _codes(session, BarrierCategory)
    act = _codes(session, Intervention)
    spec = [  # category, stage, orp, observed, overcome, intervention
        ("rent_unaffordable", BarrierStage.access, ORP_PLZEN, date(2026, 2, 1), None, None),
        ("rent_unaffordable", BarrierStage.access, ORP_PLZEN, date(2026, 3, 1), None, None),
        (
            "rent_unaffordable",
            BarrierStage.access,
            ORP_PLZEN,
            date(2026, 3, 5),
            date(2026, 4, 1),
            "rent_guarantee",
        ),
        (
            "debts_enforcement",
            BarrierStage.sustain,
            ORP_PLZEN,
            date(2026, 4, 1),
            date(2026, 5, 1),
            "debt_counselling",
        ),
        ("landlord_discrimination", BarrierStage.access, ORP_PLZEN, date(2026, 6, 30), None, None),
        ("rent_unaffordable", BarrierStage.access, ORP_PLZEN, date(2025, 9, 1), None, None),
        (
            "rent_unaffordable",
            BarrierStage.access,
            ORP_PLZEN,
            date(2025, 9, 2),
            date(2026, 1, 15),
            "rent_guarantee",
        ),
        ("rent_unaffordable", BarrierStage.access, ORP_PRAHA, date(2026, 2, 1), None, None),
    ]
    for code, stage, orp, observed, overcome, intervention in spec:
        session.add(
            Barrier(
                category_id=cat[code],
                stage=stage,
                source=BarrierSource.social_worker,
                orp_code=orp,
                observed_on=observed,
                overcome_on=overcome,
                intervention_id=act[intervention] if intervention else None,
                note=f"{SECRET_NAMES[0]} at {SECRET_STREETS[0]}",
            )
        )


def _codes(session: Session, model: type[BarrierCategory] | type[Intervention]) -> dict[str, int]:
    rows = session.execute(sa.select(col(model.code), col(model.id))).all()
    return {str(code): int(i) for code, i in rows}
