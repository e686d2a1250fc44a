"""Household services on SQLite and PostgreSQL: registration, visibility, closing, barriers."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, col, select

from agency.enums import (
    AuditAction,
    BarrierStage,
    EthosCategory,
    HouseholdCloseReason,
    HouseholdStatus,
    MemberKind,
    OrganisationKind,
    UserRole,
)
from agency.errors import Conflict, InvalidInput, NotFound
from agency.models import AuditEntry, HouseholdMember, Organisation, User
from agency.services.household_barriers import (
    add_household_barrier,
    household_barriers,
    overcome_barrier,
)
from agency.services.household_queries import (
    HouseholdFilters,
    households_query,
    load_household,
)
from agency.services.households import (
    ConsentInput,
    HouseholdInput,
    MemberInput,
    close_household,
    get_household,
    queue_household,
    register_household,
    update_household,
)
from tests.factories import Factory
from web.pagination import paginate

PLZEN = 554791
ORP_STOD = 3212
TODAY = date(2026, 11, 21)
CONSENT = ConsentInput(given=True, on=date(2026, 11, 20), scope="bydlení")


def details(worker: User, **changes: object) -> HouseholdInput:
    values: dict[str, object] = {
        "reference_name": "Eva Giňová",
        "social_worker_id": worker.id,
        "members": (
            MemberInput(MemberKind.child, 2016),
            MemberInput(MemberKind.adult, 1985),
            MemberInput(MemberKind.adult, 1987),
        ),
        "monthly_income": 24000,
        "max_housing_cost": 11000,
        "ethos_category": EthosCategory.homeless_accommodation,
        "urgency": 4,
        "municipality_codes": (PLZEN,),
        "orp_codes": (ORP_STOD,),
    }
    return HouseholdInput(**(values | changes))  # type: ignore[arg-type]


def outsider(session: Session) -> User:
    org = Organisation(name="Cizí organizace", kind=OrganisationKind.ngo)
    session.add(org)
    session.flush()
    return Factory(session, organisation=org).user(UserRole.social_worker)


def test_register_keeps_members_areas_and_audits(session: Session, factory: Factory) -> None:
    worker = factory.user()
    household = register_household(
        session, actor=worker, data=details(worker), consent=CONSENT, today=TODAY
    )
    detail = load_household(session, actor=worker, household_id=int(household.id or 0))
    assert detail.household.status == HouseholdStatus.registered
    assert detail.household.registered_on == TODAY
    assert [(m.kind, m.is_reference) for m in detail.members] == [
        (MemberKind.child, False),
        (MemberKind.adult, True),  # the first adult, not the first row
        (MemberKind.adult, False),
    ]
    assert [a.municipality.code for a in detail.areas if a.municipality] == [PLZEN]
    assert [a.orp_name for a in detail.areas if a.orp_code] == ["Stod"]
    audit = session.exec(select(AuditEntry).where(AuditEntry.entity == "household")).all()
    assert [(a.action, a.to_status) for a in audit] == [(AuditAction.create, "registered")]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"members": (MemberInput(MemberKind.child, 2016),)}, "members"),
        ({"members": (MemberInput(MemberKind.adult, 1990),) * 13}, "members"),
        ({"municipality_codes": (), "orp_codes": ()}, "municipalities"),
        ({"anchor_municipality_code": PLZEN}, "max_distance_km"),
        ({"orp_codes": (999999,)}, "orps"),
        ({"urgency": 6}, "urgency"),
    ],
)
def test_register_refuses_broken_rules(
    session: Session, factory: Factory, changes: dict[str, object], field: str
) -> None:
    worker = factory.user()
    with pytest.raises(InvalidInput) as refused:
        register_household(
            session, actor=worker, data=details(worker, **changes), consent=CONSENT, today=TODAY
        )
    assert refused.value.field == field


def test_consent_is_required(session: Session, factory: Factory) -> None:
    worker = factory.user()
    for consent, field in (
        (ConsentInput(given=False, on=TODAY, scope="x"), "consent_given"),
        (ConsentInput(given=True, on=date(2026, 12, 1), scope="x"), "consent_on"),
    ):
        with pytest.raises(InvalidInput) as refused:
            register_household(
                session, actor=worker, data=details(worker), consent=consent, today=TODAY
            )
        assert refused.value.field == field


def test_workers_of_another_organisation_are_refused_and_see_nothing(
    session: Session, factory: Factory
) -> None:
    worker, stranger = factory.user(), outsider(session)
    with pytest.raises(InvalidInput):
        register_household(
            session, actor=worker, data=details(stranger), consent=CONSENT, today=TODAY
        )
    household = factory.household(social_worker=worker)
    hid = int(household.id or 0)
    with pytest.raises(NotFound):
        get_household(session, actor=stranger, household_id=hid)
    with pytest.raises(NotFound):
        close_household(
            session, actor=stranger, household_id=hid, reason=HouseholdCloseReason.other
        )
    staff = factory.user(UserRole.staff)
    assert get_household(session, actor=staff, household_id=hid).id == hid
    rows = paginate(session, households_query(stranger, HouseholdFilters())).items
    assert rows == []
    landlord_user = factory.user(UserRole.landlord)
    assert paginate(session, households_query(landlord_user, HouseholdFilters())).items == []


def test_the_list_counts_members_in_the_same_query(session: Session, factory: Factory) -> None:
    worker = factory.user()
    household = factory.household(social_worker=worker, reference_name="Alena Bílá")
    for kind in (MemberKind.adult, MemberKind.child, MemberKind.child):
        session.add(HouseholdMember(household_id=household.id, kind=kind, birth_year=2000))
    session.flush()
    # Case and diacritics do not matter: typed in capitals, or on a phone without accents.
    for typed in ("BÍLÁ", "bila", "BILA", "alena bi"):
        found = paginate(session, households_query(worker, HouseholdFilters(text=typed))).items
        assert [r[0].id for r in found] == [household.id], typed
    nobody = paginate(session, households_query(worker, HouseholdFilters(text="bilek"))).items
    assert nobody == []
    rows = paginate(session, households_query(worker, HouseholdFilters(text="Bílá"))).items
    assert [(r[0].id, r[1], r[2], r[3]) for r in rows] == [(household.id, worker.name, 1, 2)]


def test_update_queue_close_life_cycle(session: Session, factory: Factory) -> None:
    worker = factory.user()
    household = register_household(
        session, actor=worker, data=details(worker), consent=CONSENT, today=TODAY
    )
    hid = int(household.id or 0)
    update_household(
        session, actor=worker, household_id=hid, data=details(worker, urgency=5, orp_codes=())
    )
    assert len(load_household(session, actor=worker, household_id=hid).areas) == 1
    queue_household(session, actor=worker, household_id=hid)
    with pytest.raises(Conflict):
        queue_household(session, actor=worker, household_id=hid)
    close_household(
        session,
        actor=worker,
        household_id=hid,
        reason=HouseholdCloseReason.consent_withdrawn,
        note="telefonicky",
    )
    assert household.status == HouseholdStatus.closed
    assert household.consent_withdrawn_on is not None and household.closed_at is not None
    with pytest.raises(Conflict):
        update_household(session, actor=worker, household_id=hid, data=details(worker))
    actions = session.exec(
        select(AuditEntry.action).where(AuditEntry.entity_id == hid).order_by(col(AuditEntry.id))
    ).all()
    assert actions == ["create", "update", "status_change", "status_change"]


def test_barriers_of_a_household(session: Session, factory: Factory) -> None:
    worker = factory.user()
    household = register_household(
        session, actor=worker, data=details(worker), consent=CONSENT, today=TODAY
    )
    hid = int(household.id or 0)
    barrier = add_household_barrier(
        session,
        actor=worker,
        household_id=hid,
        category_code="landlord_discrimination",
        stage=BarrierStage.access,
        observed_on=date(2026, 10, 5),
        note="Pronajímatel odmítl po telefonu.",
    )
    assert barrier.source == "social_worker" and barrier.orp_code is not None
    bid = int(barrier.id or 0)
    with pytest.raises(InvalidInput) as early:
        overcome_barrier(
            session,
            actor=worker,
            household_id=hid,
            barrier_id=bid,
            intervention_code="mediation",
            overcome_on=date(2026, 10, 4),
        )
    assert early.value.field == "overcome_on"
    overcome_barrier(
        session,
        actor=worker,
        household_id=hid,
        barrier_id=bid,
        intervention_code="mediation",
        overcome_on=date(2026, 10, 5),
    )
    (item,) = household_barriers(session, household_id=hid)
    assert item.category.code == "landlord_discrimination"
    assert item.intervention is not None and item.intervention.code == "mediation"
    with pytest.raises(Conflict):
        overcome_barrier(
            session,
            actor=worker,
            household_id=hid,
            barrier_id=bid,
            intervention_code="mediation",
            overcome_on=date(2026, 10, 6),
        )
    other = factory.household(social_worker=worker)
    with pytest.raises(NotFound):  # a barrier of another household
        overcome_barrier(
            session,
            actor=worker,
            household_id=int(other.id or 0),
            barrier_id=bid,
            intervention_code="mediation",
            overcome_on=date(2026, 10, 6),
        )
