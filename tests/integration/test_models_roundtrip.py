"""Every table stores and returns its values unchanged, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from agency import models as m
from agency.db import metadata
from agency.enums import (
    AuditAction,
    BarrierSource,
    BarrierStage,
    ClaimKind,
    FlatStatus,
    HouseholdStatus,
    MatchingScope,
    MatchStatus,
    MemberKind,
    OfferAnswer,
    Party,
    PaymentSource,
    RecommendationStatus,
    RiskLevel,
    SummaryScope,
    VettingDecision,
    VettingRejection,
    VisitKind,
)
from agency.models.flat import FlatStatusCount
from agency.models.household import HouseholdStatusCount
from notifications.models import Notification, NotificationPreference, OutboxMessage
from tests.factories import PLZEN, Factory

WHEN = datetime(2026, 3, 4, 5, 6, 7, 123000, tzinfo=UTC)
DAY = date(2026, 3, 4)


def _parents(f: Factory) -> dict[str, int]:
    flat = f.flat(status=FlatStatus.let)
    household = f.household(status=HouseholdStatus.housed)
    lease = f.lease(flat, household)
    plan = m.SupportPlan(lease_id=lease.id, template_id=1)
    f.session.add(plan)
    f.session.flush()
    summary = m.Summary(
        period_start=date(2026, 1, 1), period_end=date(2026, 7, 1), scope=SummaryScope.agency
    )
    f.session.add(summary)
    f.session.flush()
    user = f.user()
    ids = dict(flat=flat.id, household=household.id, lease=lease.id, plan=plan.id, user=user.id)
    return ids | {"landlord": flat.landlord_id, "summary": summary.id}


SAMPLES: dict[str, Callable[[dict[str, int]], SQLModel]] = {
    "vetting": lambda p: m.Vetting(
        flat_id=p["flat"],
        inspector_id=p["user"],
        inspection_date=DAY,
        ownership_checked=True,
        condition_ok=True,
        gas_safety_ok=False,
        electrical_safety_ok=True,
        rent_within_cap=False,
        energy_costs_realistic=True,
        decision=VettingDecision.rejected,
        rejection_reason=VettingRejection.rent_above_cap,
        reasons="Nájem nad limitem – 14 000 Kč",
        decided_at=WHEN,
    ),
    "flat_photo": lambda p: m.FlatPhoto(
        flat_id=p["flat"], filename="kuchyň.jpg", content_type="image/jpeg", size_bytes=123456
    ),
    "rent_cap": lambda p: m.RentCap(orp_code=3207, rooms=2, max_rent=11000),
    "member": lambda p: m.HouseholdMember(
        household_id=p["household"], kind=MemberKind.child, birth_year=2017
    ),
    "area": lambda p: m.HouseholdArea(household_id=p["household"], municipality_code=PLZEN),
    "run": lambda p: m.MatchingRun(
        run_by_id=p["user"],
        started_at=WHEN,
        finished_at=WHEN + timedelta(seconds=3),
        scope=MatchingScope.orp,
        scope_value="3207",
        policy={"weights": {"days": 1}},
        households_count=120,
        flats_count=60,
        pairs_count=2400,
        solve_ms=812,
        objective={"urgency_5": 3},
        suggestions=[{"household": 1, "flat": 2}],
        explanations={"1": {"budget": 4}},
    ),
    "match": lambda p: m.Match(
        household_id=p["household"],
        flat_id=p["flat"],
        proposed_by_id=p["user"],
        status=MatchStatus.declined,
        score=2**40,
        score_terms={"distance": -3},
        explanation={"alternatives": [1, 2]},
        landlord_answer=OfferAnswer.decline,
        landlord_answered_at=WHEN,
        declined_by=Party.landlord,
        landlord_reason="discrimination",
    ),
    "renewal": lambda p: m.LeaseRenewal(lease_id=p["lease"], new_end=date(2028, 1, 31)),
    "charge": lambda p: m.RentCharge(
        lease_id=p["lease"], period=date(2026, 3, 1), amount=11500, due_on=date(2026, 3, 15)
    ),
    "payment": lambda p: m.RentPayment(
        lease_id=p["lease"],
        paid_on=DAY,
        amount=11500,
        source=PaymentSource.bank_import,
        bank_reference="VS-2026-03-0001",
        recorded_by_id=p["user"],
    ),
    "claim": lambda p: m.GuaranteeClaim(
        lease_id=p["lease"], kind=ClaimKind.damage, claimed_on=DAY, amount=7000, paid_on=DAY
    ),
    "visit": lambda p: m.SupportVisit(
        plan_id=p["plan"],
        household_id=p["household"],
        social_worker_id=p["user"],
        planned_on=DAY,
        done_on=DAY,
        kind=VisitKind.home,
        topics=["rent", "school"],
        risk=RiskLevel.amber,
        notes="Dluh u dodavatele energií",
        follow_up="Dluhová poradna",
    ),
    "barrier": lambda p: m.Barrier(
        category_id=1,
        stage=BarrierStage.access,
        source=BarrierSource.landlord_decline,
        household_id=p["household"],
        flat_id=p["flat"],
        landlord_id=p["landlord"],
        orp_code=3207,
        observed_on=DAY,
        overcome_on=DAY + timedelta(days=20),
        intervention_id=2,
    ),
    "recommendation": lambda p: m.Recommendation(
        summary_id=p["summary"],
        text="Rozšířit garanční fond",
        responsible_body="Plzeňský kraj",
        status=RecommendationStatus.adopted,
    ),
    "audit": lambda p: m.AuditEntry(
        actor_id=p["user"],
        action=AuditAction.status_change,
        entity="flat",
        entity_id=p["flat"],
        from_status="vetting",
        to_status="available",
        details={"a": [1]},
    ),
    "login_attempt": lambda p: m.LoginAttempt(
        email="eva@example.cz", ip="2001:db8::1", success=False, at=WHEN
    ),
    "setting": lambda p: m.Setting(key="offer_expiry_days", value={"days": 14}),
    "outbox": lambda p: OutboxMessage(
        event_key="flat_received:1",
        kind="flat_received",
        recipient="a@example.cz",
        user_id=p["user"],
        context={"flat": 1},
        message_id="<1@agency>",
    ),
    "notification": lambda p: Notification(
        user_id=p["user"], event_key="flat_received:1", kind="flat_received", link="/flats/1"
    ),
    "preference": lambda p: NotificationPreference(
        user_id=p["user"], kind="flat_received", email_enabled=False
    ),
    "summary_scope": lambda p: m.Summary(
        period_start=date(2025, 7, 1),
        period_end=date(2026, 1, 1),
        scope=SummaryScope.orp,
        scope_code="3207",
        figures={"flow": {"registered": "<5"}},
        what_ifs=[{"flats": 5}],
    ),
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_record_round_trips(session: Session, factory: Factory, name: str) -> None:
    record = SAMPLES[name](_parents(factory))
    session.add(record)
    session.flush()
    for name in list(sa.inspect(record).expired_attributes):  # filled by the database
        getattr(record, name)
    written = record.model_dump()
    key = record.__mapper__.primary_key_from_instance(record)  # type: ignore[attr-defined]
    session.expunge_all()
    loaded = session.get(type(record), key)
    assert loaded is not None and loaded is not record
    assert loaded.model_dump() == written
    for value in loaded.model_dump().values():
        if isinstance(value, datetime):
            assert value.tzinfo is not None and value.utcoffset() == timedelta(0)


def test_factory_records_round_trip(session: Session, factory: Factory) -> None:
    parents = _parents(factory)
    for model, key in [(m.Flat, "flat"), (m.Household, "household"), (m.Lease, "lease")]:
        written = session.get(model, parents[key]).model_dump()  # type: ignore[union-attr]
        session.expunge_all()
        assert session.get(model, parents[key]).model_dump() == written  # type: ignore[union-attr]


def test_flat_counts_round_trip(session: Session, factory: Factory) -> None:
    flat = factory.flat()
    written = session.get(FlatStatusCount, flat.status).model_dump()  # type: ignore[union-attr]
    session.expunge_all()
    loaded = session.get(FlatStatusCount, flat.status)
    assert loaded is not None and loaded.model_dump() == written
    assert written["flats"] >= 1


def test_household_counts_round_trip(session: Session, factory: Factory) -> None:
    household = factory.household()
    key = (household.organisation_id, household.status)
    written = session.get(HouseholdStatusCount, key).model_dump()  # type: ignore[union-attr]
    session.expunge_all()
    loaded = session.get(HouseholdStatusCount, key)
    assert loaded is not None and loaded.model_dump() == written
    assert written["households"] >= 1


def test_every_table_has_a_round_trip_test() -> None:
    covered = {
        type(
            make(
                dict.fromkeys(
                    ("flat", "household", "lease", "plan", "user", "landlord", "summary"), 1
                )
            )
        ).__tablename__
        for make in SAMPLES.values()
    }
    covered |= {
        "flat",
        "household",
        "lease",
        "landlord",
        "user_account",
        "organisation",
        "support_plan",
        "summary",
        "municipality",
        "support_plan_template",
        "barrier_category",
        "intervention",
        "flat_status_count",
        "household_status_count",
    }
    assert set(metadata().tables) - covered == set()


def test_no_ethnicity_field_anywhere() -> None:
    words = ("ethnic", "etnic", "roma", "race", "nationality", "národnost")
    columns = [c.name.lower() for t in metadata().tables.values() for c in t.columns]
    assert not [c for c in columns for w in words if w in c]


def test_naive_datetimes_are_refused(session: Session, factory: Factory) -> None:
    user = factory.user()
    user.last_login_at = datetime(2026, 1, 1, 12, 0)
    with pytest.raises(Exception, match="naive datetime"):
        session.flush()
