"""A household's privacy: the export covers every table, pseudonymisation erases every
personal field and leaves the Platform's summaries as they were, the retention job, and
the effects of a withdrawal of consent. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from agency.db import metadata, session_scope
from agency.enums import (
    AuditAction,
    BarrierSource,
    BarrierStage,
    ClaimKind,
    EthosCategory,
    FlatStatus,
    HouseholdCloseReason,
    HouseholdStatus,
    MatchingScope,
    MatchStatus,
    MemberKind,
    Party,
    SummaryScope,
    UserRole,
)
from agency.errors import Conflict, Forbidden, InvalidInput, NotFound
from agency.jobs import remind_after_move, retention_job
from agency.models import (
    AuditEntry,
    Flat,
    GuaranteeClaim,
    Household,
    HouseholdArea,
    HouseholdMember,
    Lease,
    LeaseRenewal,
    Match,
    RentCharge,
    RentPayment,
    SupportPlan,
    SupportVisit,
    User,
)
from agency.services.barriers import record_barrier
from agency.services.households import (
    HouseholdInput,
    MemberInput,
    close_household,
    update_household,
)
from agency.services.matches import propose_match
from agency.services.matching_input import build_instance
from agency.services.offers import Answer, answer_offer
from agency.services.privacy import (
    PARTS,
    erase,
    export_household,
    neutral_reason,
    pseudonymise_expired,
    pseudonymise_household,
    withdraw_consent,
)
from agency.services.signoff import reject_match
from agency.services.summaries import build_summary
from agency.services.summary_whatif import Scenario
from agency.services.support import default_template, generate_schedule
from notifications.config import MailConfig
from notifications.models import Notification, OutboxMessage
from notifications.runtime import JobContext, using_context
from notifications.senders import MemorySender
from notifications.service import notify
from tests.factories import Factory
from tests.integration import summary_fixture as fx
from tests.integration.placement_data import proposal
from web.scheduler import build_job_context
from web.settings import load_settings

NOW = datetime(2026, 7, 2, 8, tzinfo=UTC)
TODAY = NOW.date()
NAME, PHONE, EMAIL = "Zdeňka Quarglová", "+420 777 123 456", "zdenka@quargl.cz"
NOTE = "Quargl: bydlí u sestry"


@dataclass
class Case:
    """A household with something in every table that points at it."""

    household: Household
    worker: User
    staff: User
    lease: Lease
    match: Match


def _everything(session: Session, f: Factory) -> Case:
    worker, staff = f.user(), f.user(UserRole.staff)
    household = f.household(
        HouseholdStatus.housed,
        social_worker=worker,
        reference_name=NAME,
        reference_phone=PHONE,
        reference_email=EMAIL,
        notes=NOTE,
        urgency_reasons=NOTE,
        anchor_label="ZŠ Quarglova",
    )
    hid = int(household.id or 0)
    session.add(HouseholdMember(household_id=hid, kind=MemberKind.adult, birth_year=1988))
    session.add(HouseholdMember(household_id=hid, kind=MemberKind.child, birth_year=2015))
    session.add(HouseholdArea(household_id=hid, municipality_code=fx.PLZEN))
    flat = f.flat(FlatStatus.let)
    match = Match(
        household_id=hid,
        flat_id=int(flat.id or 0),
        proposed_by_id=int(worker.id or 0),
        status=MatchStatus.leased,
        note=NOTE,
        review_reason=NOTE,
        decline_note=NOTE,
    )
    session.add(match)
    session.flush()
    lease = f.lease(flat, household, match_id=match.id, guarantee_terms=NOTE, end_note=NOTE)
    lid = int(lease.id or 0)
    session.add(LeaseRenewal(lease_id=lid, new_end=date(2028, 1, 31)))
    session.add(RentCharge(lease_id=lid, period=date(2026, 2, 1), amount=11500, due_on=TODAY))
    session.add(
        RentPayment(lease_id=lid, paid_on=TODAY, amount=11500, note=NOTE, bank_reference="Q-1")
    )
    session.add(
        GuaranteeClaim(lease_id=lid, kind=ClaimKind.rent, claimed_on=TODAY, amount=100, note=NOTE)
    )
    generate_schedule(session, lease=lease, template=default_template(session))
    visit = session.exec(select(SupportVisit).where(SupportVisit.household_id == hid)).first()
    assert visit is not None
    visit.notes, visit.follow_up = NOTE, NOTE
    session.add(visit)
    record_barrier(
        session,
        category_code="debts_enforcement",
        stage=BarrierStage.access,
        source=BarrierSource.social_worker,
        observed_on=date(2026, 1, 5),
        household_id=hid,
        note=NOTE,
    )
    notify(
        session,
        kind="visit_due",
        event_key=f"visit_due:{visit.id}",
        recipients=[worker],
        context={"household_ref": f"D-{hid}", "address": "x", "planned_on": visit.planned_on},
        link=f"/visits/{visit.id}",
        now=NOW,
    )
    session.flush()
    return Case(household, worker, staff, lease, match)


def _household_tables() -> set[str]:
    """Every table with a foreign-key path to the household, read from the metadata."""
    tables = metadata().tables
    found = {"household"}
    grown = True
    while grown:
        reach = {
            t.name
            for t in tables.values()
            if any(fk.column.table.name in found for fk in t.foreign_keys)
        }
        grown = not reach <= found
        found |= reach
    return found - {"household"}


# --- export --------------------------------------------------------------------------------


def test_the_export_lists_every_table_that_points_at_a_household(session: Session) -> None:
    exported = {part.table for part in PARTS}
    assert _household_tables() - exported == set(), "tables the export forgets"
    assert {"placement_match", "lease", "rent_payment", "support_visit"} <= exported


def test_the_export_holds_every_record_and_its_own_audit(session: Session) -> None:
    case = _everything(session, Factory(session))
    hid = int(case.household.id or 0)
    document = export_household(session, actor=case.staff, household_id=hid, now=NOW)
    text = json.dumps(document, ensure_ascii=False)  # JSON as it is served
    assert document["household"]["reference_name"] == NAME and EMAIL in text
    for table in _household_tables():
        assert document[table], f"no rows of {table}"
    assert [m["birth_year"] for m in document["householdmember"]] == [1988, 2015]
    assert document["rent_payment"][0]["amount"] == 11500
    assert [n["kind"] for n in document["notification"]] == ["visit_due"]
    trail = document["audit_log"]
    assert trail[-1]["action"] == "export" and trail[-1]["actor"] == case.staff.name
    entries = session.exec(
        select(AuditEntry).where(
            AuditEntry.action == AuditAction.export, AuditEntry.entity_id == hid
        )
    ).all()
    assert len(entries) == 1 and entries[0].actor_id == case.staff.id


def test_only_staff_export_and_only_households_that_exist(session: Session) -> None:
    case = _everything(session, Factory(session))
    hid = int(case.household.id or 0)
    with pytest.raises(Forbidden):
        export_household(session, actor=case.worker, household_id=hid, now=NOW)
    with pytest.raises(NotFound):
        export_household(session, actor=case.staff, household_id=2**31 - 1, now=NOW)


# --- pseudonymisation ------------------------------------------------------------------------


def test_pseudonymising_erases_every_personal_field_and_keeps_the_facts(session: Session) -> None:
    case = _everything(session, Factory(session))
    hid, lid = int(case.household.id or 0), int(case.lease.id or 0)
    close_household(
        session,
        actor=case.worker,
        household_id=hid,
        reason=HouseholdCloseReason.moved_away,
        note=NOTE,
    )
    before = export_household(session, actor=case.staff, household_id=hid, now=NOW)
    household = pseudonymise_household(
        session,
        actor=case.staff,
        household_id=hid,
        reason="request of 1 July",
        confirmed=True,
        now=NOW,
    )
    assert household.reference_name == f"D-{hid}" and household.pseudonymised_at is not None
    after = export_household(session, actor=case.staff, household_id=hid, now=NOW)
    text = json.dumps(after, ensure_ascii=False)
    for secret in (NAME, PHONE, EMAIL, "Quargl", "zdenka", '"Q-1"'):
        assert secret not in text, secret
    assert [m["birth_year"] for m in after["householdmember"]] == [None, None]
    assert after["export"]["pseudonymised"] is True
    kept = ("status", "close_reason", "registered_on", "monthly_income", "urgency", "closed_at")
    assert {k: after["household"][k] for k in kept} == {k: before["household"][k] for k in kept}
    assert [m["kind"] for m in after["householdmember"]] == ["adult", "child"]
    assert after["householdarea"] == before["householdarea"]
    lease = session.get(Lease, lid)
    assert lease is not None and lease.rent == case.lease.rent and lease.guarantee_terms is None
    assert after["barrier"][0]["category_id"] == before["barrier"][0]["category_id"]
    erased = session.exec(
        select(AuditEntry).where(
            AuditEntry.action == AuditAction.erase, AuditEntry.entity_id == hid
        )
    ).one()
    assert erased.actor_id == case.staff.id and erased.reason == "request of 1 July"


def test_reasons_copied_into_the_audit_log_and_messages_are_erased_too(
    session: Session, factory: Factory
) -> None:
    # A rejection's reason travels into the match's audit entries, the proposer's in-app
    # notification and the e-mail queued with it; the lease's end note into its audit.
    match, worker, staff = proposal(session, factory)
    secret = "Paní Quarglová čeká exekuci 3. května"
    reject_match(session, match_id=match.id or 0, reviewer=staff, reason=secret, now=NOW)
    hid = match.household_id
    close_household(
        session, actor=worker, household_id=hid, reason=HouseholdCloseReason.other, note=NOTE
    )
    pseudonymise_household(
        session, actor=staff, household_id=hid, reason="request", confirmed=True, now=NOW
    )
    session.flush()
    audits = session.exec(
        select(AuditEntry.reason).where(
            AuditEntry.entity == "match", AuditEntry.entity_id == match.id
        )
    ).all()
    notes = session.exec(
        select(Notification.context).where(Notification.link == f"/offers/{match.id}")
    ).all()
    mails = session.exec(
        select(OutboxMessage.context).where(OutboxMessage.event_key == f"match_rejected:{match.id}")
    ).all()
    assert audits and notes and mails  # the text really was copied there
    text = json.dumps([audits, notes, mails], ensure_ascii=False)
    assert "Quargl" not in text and NOTE not in text
    assert {n["reason"] for n in notes if n and "reason" in n} == {"-"}


def test_a_reason_keeps_its_code_only() -> None:
    assert neutral_reason("moved_away: k sestře do Brna") == "moved_away"
    assert neutral_reason("need_ended") == "need_ended"
    assert neutral_reason("Paní Q. se odstěhovala") == "-"


def test_pseudonymisation_is_refused_without_reason_confirmation_or_staff(
    session: Session,
) -> None:
    case = _everything(session, Factory(session))
    hid = int(case.household.id or 0)
    args: dict[str, Any] = {"household_id": hid, "now": NOW}
    with pytest.raises(Conflict, match="Close the household"):
        pseudonymise_household(session, actor=case.staff, reason="r", confirmed=True, **args)
    withdraw_consent(session, actor=case.worker, on=TODAY, today=TODAY, **args)
    with pytest.raises(Forbidden):
        pseudonymise_household(session, actor=case.worker, reason="r", confirmed=True, **args)
    with pytest.raises(InvalidInput) as no_reason:
        pseudonymise_household(session, actor=case.staff, reason="  ", confirmed=True, **args)
    assert no_reason.value.field == "reason"
    with pytest.raises(InvalidInput) as unconfirmed:
        pseudonymise_household(session, actor=case.staff, reason="r", confirmed=False, **args)
    assert unconfirmed.value.field == "confirm"
    assert session.get(Household, hid).reference_name == NAME  # type: ignore[union-attr]
    pseudonymise_household(session, actor=case.staff, reason="r", confirmed=True, **args)
    with pytest.raises(Conflict):
        pseudonymise_household(session, actor=case.staff, reason="r", confirmed=True, **args)
    with pytest.raises(Conflict, match="pseudonymised"):
        close_household(
            session, actor=case.staff, household_id=hid, reason=HouseholdCloseReason.other
        )


def _summary_figures(session: Session, scope: SummaryScope, code: str) -> Any:
    with session.begin_nested() as nested:  # rolled back: the next build is not a duplicate
        figures = _build(session, scope, code)
        nested.rollback()
    return figures


def _build(session: Session, scope: SummaryScope, code: str) -> Any:
    scenarios = [
        Scenario(
            "add_flats", count=3, rooms=2, layout="2+1", rent=8000, services=2000, orp=fx.ORP_PLZEN
        ),
        Scenario("raise_budgets", percent=10),
    ]
    summary = build_summary(
        session,
        period_start=fx.START,
        period_end=fx.END,
        scope=scope,
        scope_code=code,
        k=3,
        scenarios=scenarios,
        now=NOW,
    )
    return json.loads(json.dumps([summary.figures, summary.what_ifs], default=str))


def test_pseudonymising_every_household_leaves_the_summaries_unchanged(session: Session) -> None:
    built = fx.build(session)
    scopes = ((SummaryScope.orp, str(fx.ORP_PLZEN)), (SummaryScope.agency, ""))
    before = [_summary_figures(session, scope, code) for scope, code in scopes]
    ids = [int(h.id or 0) for h in built.households.values()]
    erase(session, ids, actor_id=None, reason="test", now=NOW)
    session.expire_all()
    names = session.exec(select(Household.reference_name).where(col(Household.id).in_(ids))).all()
    assert sorted(names) == sorted(f"D-{i}" for i in ids)  # really pseudonymised
    after = [_summary_figures(session, scope, code) for scope, code in scopes]
    assert after == before
    assert before[0][0]["sections"] and before[0][1]  # figures and what-ifs to compare


# --- retention ---------------------------------------------------------------------------------


def _closed(f: Factory, closed_at: datetime) -> Household:
    return f.household(
        HouseholdStatus.closed,
        close_reason=HouseholdCloseReason.need_ended,
        closed_at=closed_at,
        reference_name=NAME,
        notes=NOTE,
    )


def test_households_closed_longer_than_the_retention_period_are_pseudonymised(
    session: Session,
) -> None:
    f = Factory(session)
    old = _closed(f, NOW - timedelta(days=5 * 365 + 5))
    recent = _closed(f, NOW - timedelta(days=4 * 365))
    waiting = f.household(reference_name=NAME, registered_on=date(2019, 1, 1))
    assert pseudonymise_expired(session, now=NOW, years=5) == 1
    assert pseudonymise_expired(session, now=NOW, years=5) == 0  # idempotent
    session.expire_all()
    names = {h.id: h.reference_name for h in (old, recent, waiting)}
    assert names == {old.id: f"D-{old.id}", recent.id: NAME, waiting.id: NAME}
    assert old.notes is None and old.pseudonymised_at is not None
    assert pseudonymise_expired(session, now=NOW, years=3) == 1  # the setting decides
    with pytest.raises(InvalidInput):
        pseudonymise_expired(session, now=NOW, years=0)


def test_the_retention_job_runs_once_per_household(fresh_engine: Engine) -> None:
    with session_scope(fresh_engine) as session:
        f = Factory(session)
        ids = [_closed(f, datetime.now(UTC) - timedelta(days=6 * 365)).id for _ in range(2)]
        kept = _closed(f, datetime.now(UTC) - timedelta(days=365)).id
    context = JobContext(
        engine=fresh_engine, mail=MailConfig(backend="memory"), sender=MemorySender()
    )
    with using_context(context):
        assert retention_job() == 2
        assert retention_job() == 0
    with session_scope(fresh_engine) as session:
        rows = dict(session.exec(select(Household.id, Household.reference_name)).all())
    assert [rows[i] for i in ids] == [f"D-{i}" for i in ids] and rows[kept] == NAME
    # The RETENTION_YEARS setting reaches the job through the scheduler's context.
    settings = replace(load_settings(), database_url="sqlite://", retention_years=1)
    assert build_job_context(settings, engine=fresh_engine).retention_years == 1
    with using_context(replace(context, retention_years=1)):
        assert retention_job() == 1
    with session_scope(fresh_engine) as session:
        assert session.get(Household, kept).reference_name == f"D-{kept}"


# --- withdrawal of consent ------------------------------------------------------------------------


def _offer(session: Session, f: Factory) -> tuple[Household, Flat, Match, User]:
    worker = f.user()
    household = f.household(HouseholdStatus.offered, social_worker=worker)
    flat = f.flat(FlatStatus.offered)
    match = Match(
        household_id=household.id,
        flat_id=flat.id,
        proposed_by_id=worker.id,
        status=MatchStatus.approved,
        offer_expires_at=NOW + timedelta(days=7),
    )
    session.add(match)
    session.flush()
    return household, flat, match, worker


def test_withdrawing_consent_withdraws_the_open_offer_in_the_same_transaction(
    session: Session,
) -> None:
    household, flat, match, worker = _offer(session, Factory(session))
    hid = int(household.id or 0)
    withdraw_consent(session, actor=worker, household_id=hid, on=TODAY, today=TODAY, now=NOW)
    session.refresh(match)
    session.refresh(flat)
    assert match.status == MatchStatus.withdrawn and flat.status == FlatStatus.available
    assert household.consent_withdrawn_on == TODAY
    assert household.status == HouseholdStatus.waiting  # kept, but no longer matched
    assert household.reference_name.startswith("Domácnost")  # data kept until erasure
    entry = session.exec(
        select(AuditEntry).where(AuditEntry.entity == "household", AuditEntry.entity_id == hid)
    ).all()[-1]
    assert entry.reason == "consent_withdrawn" and entry.actor_id == worker.id


def test_a_household_without_consent_is_left_out_of_matching(session: Session) -> None:
    f = Factory(session)
    worker = f.user()
    kept, gone = f.household(social_worker=worker), f.household(social_worker=worker)
    for h in (kept, gone):
        session.add(HouseholdArea(household_id=h.id, municipality_code=fx.PLZEN))
    session.flush()

    def matched() -> set[str]:
        instance = build_instance(session, scope=MatchingScope.all, scope_value=None, today=TODAY)
        return {h.id for h in instance.households}

    assert {str(kept.id), str(gone.id)} <= matched()
    withdraw_consent(
        session, actor=worker, household_id=int(gone.id or 0), on=TODAY, today=TODAY, now=NOW
    )
    assert str(kept.id) in matched() and str(gone.id) not in matched()


def test_proposals_and_answers_for_it_are_refused(session: Session) -> None:
    f = Factory(session)
    household, _, match, worker = _offer(session, f)
    household.consent_withdrawn_on = TODAY  # as recorded by an older version, offer still open
    session.add(household)
    session.flush()
    with pytest.raises(Conflict, match="withdrew its consent"):
        answer_offer(
            session,
            match_id=int(match.id or 0),
            answer=Answer(Party.household, accept=True),
            actor_id=worker.id,
            now=NOW,
        )
    waiting = f.household(social_worker=worker)
    withdraw_consent(
        session, actor=worker, household_id=int(waiting.id or 0), on=TODAY, today=TODAY, now=NOW
    )
    with pytest.raises(Conflict, match="withdrew its consent"):
        propose_match(
            session,
            household_id=int(waiting.id or 0),
            flat_id=int(f.flat().id or 0),
            proposed_by_id=int(worker.id or 0),
        )


def test_no_visits_are_scheduled_and_nobody_is_notified_about_it(session: Session) -> None:
    f = Factory(session)
    worker, staff = f.user(), f.user(UserRole.staff)
    template = default_template(session)
    leases = {}
    for name in ("kept", "gone"):
        household = f.household(HouseholdStatus.housed, social_worker=worker)
        leases[name] = f.lease(
            f.flat(FlatStatus.let),
            household,
            start_date=TODAY - timedelta(days=20),
            end_date=TODAY + timedelta(days=20),
        )
    gone = session.get(Household, leases["gone"].household_id)
    assert gone is not None and staff.id
    withdraw_consent(
        session, actor=worker, household_id=int(gone.id or 0), on=TODAY, today=TODAY, now=NOW
    )
    for lease in leases.values():
        generate_schedule(session, lease=lease, template=template)
        plan = session.exec(select(SupportPlan).where(SupportPlan.lease_id == lease.id)).one()
        session.add(
            SupportVisit(
                plan_id=plan.id,
                household_id=lease.household_id,
                social_worker_id=worker.id,
                planned_on=TODAY,
                notes="scheduled before",
            )
        )
        session.add(
            RentCharge(
                lease_id=lease.id, period=date(2026, 6, 1), amount=20000, due_on=date(2026, 6, 5)
            )
        )
    session.flush()

    def visits(lease: Lease) -> int:
        plan = session.exec(select(SupportPlan).where(SupportPlan.lease_id == lease.id)).one()
        query = select(sa.func.count()).where(SupportVisit.plan_id == plan.id)
        return int(session.exec(query).one())

    assert visits(leases["kept"]) > 1 and visits(leases["gone"]) == 1  # only the earlier one
    assert remind_after_move(session, now=NOW) > 0
    keys = [*session.exec(select(Notification.event_key)).all()]
    keys += session.exec(select(OutboxMessage.event_key)).all()

    def about(lease: Lease) -> set[str]:
        visit_ids = session.exec(
            select(SupportVisit.id).where(SupportVisit.household_id == lease.household_id)
        ).all()
        ids = {f"lease_ends_30:{lease.id}", f"arrears:{lease.id}"}
        ids |= {f"visit_due:{v}" for v in visit_ids} | {f"visit_overdue:{v}" for v in visit_ids}
        return {k.split(":")[0] for k in keys if ":".join(k.split(":")[:2]) in ids}

    assert about(leases["kept"]) >= {"lease_ends_30", "arrears", "visit_due"}
    assert about(leases["gone"]) == set()


def test_the_withdrawal_is_checked(session: Session) -> None:
    f = Factory(session)
    worker = f.user()
    household = f.household(social_worker=worker, consent_on=date(2026, 3, 1))
    hid = int(household.id or 0)
    stranger = Factory(session).user()
    with pytest.raises(NotFound):
        withdraw_consent(session, actor=stranger, household_id=hid, on=TODAY, today=TODAY, now=NOW)
    with pytest.raises(InvalidInput, match="future"):
        withdraw_consent(
            session,
            actor=worker,
            household_id=hid,
            on=TODAY + timedelta(days=1),
            today=TODAY,
            now=NOW,
        )
    with pytest.raises(InvalidInput, match="before it was given"):
        withdraw_consent(
            session, actor=worker, household_id=hid, on=date(2026, 2, 1), today=TODAY, now=NOW
        )
    assert household.consent_withdrawn_on is None
    withdraw_consent(session, actor=worker, household_id=hid, on=TODAY, today=TODAY, now=NOW)
    with pytest.raises(Conflict, match="recorded already"):
        withdraw_consent(session, actor=worker, household_id=hid, on=TODAY, today=TODAY, now=NOW)


def test_a_pseudonymised_household_cannot_be_changed(session: Session) -> None:
    f = Factory(session)
    staff = f.user(UserRole.staff)
    household = _closed(f, NOW - timedelta(days=10))
    erase(session, [int(household.id or 0)], actor_id=None, reason="test", now=NOW)
    session.expire_all()
    data = HouseholdInput(
        reference_name=NAME,
        social_worker_id=household.social_worker_id,
        members=(MemberInput(MemberKind.adult),),
        monthly_income=20000,
        max_housing_cost=9000,
        ethos_category=EthosCategory.insecure,
        urgency=3,
        municipality_codes=(fx.PLZEN,),
    )
    with pytest.raises(Conflict, match="pseudonymised"):
        update_household(session, actor=staff, household_id=int(household.id or 0), data=data)
    assert session.get(Household, household.id).reference_name == f"D-{household.id}"  # type: ignore[union-attr]
