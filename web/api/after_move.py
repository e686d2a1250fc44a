"""JSON API after the move: leases, payments, visits and barriers (the pages' services)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromQuery, QueryParameter
from litestar.types import ControllerRouterHandler
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from sqlmodel import Session

from agency.enums import (
    VISIT_TOPICS,
    BarrierSource,
    BarrierStage,
    LeaseEndReason,
    LeaseStatus,
    RiskLevel,
    VisitKind,
)
from agency.errors import InvalidInput
from agency.models import Barrier, RentPayment, SupportVisit
from agency.models.base import utcnow
from agency.services.household_barriers import (
    add_household_barrier,
    household_barriers,
    overcome_barrier,
)
from agency.services.households import get_household
from agency.services.leases import LeaseFilters, LeaseRow, get_lease, lease_detail, list_leases
from agency.services.rent import lease_ledger, record_payment
from agency.services.support import VisitRecord, record_visit, visit_calendar
from web.api.flats import ERRORS, WRITE_ERRORS, ApiInput, PageInfo, json_body
from web.deps import commit
from web.guards import SOCIAL, STAFF
from web.pages.staff_common import RecordId, acting_user
from web.pagination import Pagination

PerPage = Annotated[int, QueryParameter(ge=1, le=100)]
PageNo = Annotated[int, QueryParameter(ge=1, le=100_000)]


def _only_int(value: Any) -> Any:
    # Litestar validates in lax mode, which would take "3000" or true for a number.
    if type(value) is not int:
        raise ValueError("must be a JSON integer")
    return value


Money = Annotated[int, BeforeValidator(_only_int), Field(ge=1, le=10_000_000)]
Topic = Annotated[str, Field(pattern="^(" + "|".join(VISIT_TOPICS) + ")$")]


class LeaseRead(BaseModel):
    id: int
    household_id: int
    household_name: str
    flat_id: int
    address: str
    orp_code: int
    status: LeaseStatus
    start_date: date
    end_date: date | None
    rent: int
    services: int
    deposit: int
    arrears: int = Field(description="charges due minus payments, CZK")
    end_reason: LeaseEndReason | None
    ended_on: date | None


class LeasePage(BaseModel):
    items: list[LeaseRead]
    pagination: PageInfo


class PaymentCreate(ApiInput):
    model_config = ConfigDict(extra="forbid")

    amount: Money
    paid_on: date
    reference: Annotated[str, Field(max_length=100)] | None = None
    note: Annotated[str, Field(max_length=500)] | None = None


class PaymentRead(BaseModel):
    id: int
    lease_id: int
    paid_on: date
    amount: int
    source: str
    bank_reference: str | None


class VisitRead(BaseModel):
    id: int
    household_id: int
    household_name: str
    planned_on: date
    done_on: date | None


class Calendar(BaseModel):
    overdue: list[VisitRead]
    this_week: list[VisitRead]
    upcoming: list[VisitRead]


class VisitDone(ApiInput):
    model_config = ConfigDict(extra="forbid")

    kind: VisitKind
    topics: list[Topic] = Field(default_factory=list, max_length=len(VISIT_TOPICS))
    risk: RiskLevel
    done_on: date | None = Field(default=None, description="today when left out")
    notes: Annotated[str, Field(max_length=4000)] | None = None
    follow_up: Annotated[str, Field(max_length=2000)] | None = None


class BarrierCreate(ApiInput):
    model_config = ConfigDict(extra="forbid")

    household_id: Annotated[int, BeforeValidator(_only_int), Field(ge=1, le=2**31 - 1)]
    category_code: Annotated[str, Field(max_length=50)]
    stage: BarrierStage
    observed_on: date
    note: Annotated[str, Field(max_length=2000)] | None = None


class Overcome(ApiInput):
    model_config = ConfigDict(extra="forbid")

    intervention_code: Annotated[str, Field(max_length=50)]
    overcome_on: date


class BarrierRead(BaseModel):
    id: int
    household_id: int | None
    category_code: str
    stage: BarrierStage
    source: BarrierSource
    observed_on: date
    overcome_on: date | None
    intervention_code: str | None
    note: str | None


def _lease(row: LeaseRow) -> LeaseRead:
    lease = row.lease
    return LeaseRead(
        id=int(lease.id or 0),
        household_id=lease.household_id,
        household_name=row.household_name,
        flat_id=lease.flat_id,
        address=f"{row.street}, {row.municipality}",
        orp_code=row.orp_code,
        status=lease.status,
        start_date=lease.start_date,
        end_date=lease.end_date,
        rent=lease.rent,
        services=lease.services,
        deposit=lease.deposit,
        arrears=max(row.arrears, 0),
        end_reason=lease.end_reason,
        ended_on=lease.ended_on,
    )


def _payment(p: RentPayment) -> PaymentRead:
    return PaymentRead(
        id=int(p.id or 0),
        lease_id=p.lease_id,
        paid_on=p.paid_on,
        amount=p.amount,
        source=str(p.source),
        bank_reference=p.bank_reference,
    )


def _barrier(session: Session, household_id: int, barrier: Barrier) -> BarrierRead:
    items = household_barriers(session, household_id=household_id)
    item = next(i for i in items if i.barrier.id == barrier.id)
    return BarrierRead(
        id=int(barrier.id or 0),
        household_id=barrier.household_id,
        category_code=item.category.code,
        stage=barrier.stage,
        source=barrier.source,
        observed_on=barrier.observed_on,
        overcome_on=barrier.overcome_on,
        intervention_code=item.intervention.code if item.intervention else None,
        note=barrier.note,
    )


@get("/api/v1/leases", guards=[SOCIAL], raises=ERRORS, sync_to_thread=True)
def api_leases(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    ending_soon: FromQuery[bool] = False,
    in_arrears: FromQuery[bool] = False,
    orp: Annotated[int | None, QueryParameter(ge=1, le=999_999)] = None,
    page: PageNo = 1,
    per_page: PerPage = 25,
) -> LeasePage:
    """Active leases the user may see; filters: ending within 60 days, in arrears, ORP."""
    user = acting_user(request, db)
    filters = LeaseFilters(ending_soon=ending_soon, in_arrears=in_arrears, orp_code=orp)
    rows, total = list_leases(
        db, actor=user, filters=filters, today=utcnow().date(), page=page, per_page=per_page
    )
    info = PageInfo.of(Pagination(page=page, per_page=per_page, total=total))
    return LeasePage(items=[_lease(r) for r in rows], pagination=info)


@get(
    "/api/v1/leases/{lease_id:int}",
    guards=[SOCIAL],
    raises=[*ERRORS, NotFoundException],
    sync_to_thread=True,
)
def api_lease(
    request: Request[Any, Any, Any], db: NamedDependency[Session], lease_id: RecordId
) -> LeaseRead:
    """One lease with its arrears (404 for leases of other organisations)."""
    user = acting_user(request, db)
    return _lease(lease_detail(db, actor=user, lease_id=lease_id, today=utcnow().date()).row)


class PaymentsApi(Controller):
    """Payments of one lease; one controller because the path carries two methods."""

    path = "/api/v1/leases/{lease_id:int}/payments"

    @get("/", guards=[SOCIAL], raises=[*ERRORS, NotFoundException], sync_to_thread=True)
    def list_payments(
        self, request: Request[Any, Any, Any], db: NamedDependency[Session], lease_id: RecordId
    ) -> list[PaymentRead]:
        """The lease's payments, newest first."""
        user = acting_user(request, db)
        get_lease(db, actor=user, lease_id=lease_id)
        return [_payment(p) for p in lease_ledger(db, lease_id=lease_id)[1]]

    @post(
        "/",
        guards=[STAFF, json_body],
        raises=WRITE_ERRORS,
        status_code=201,
        sync_to_thread=True,
    )
    def create_payment(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Session],
        lease_id: RecordId,
        data: Annotated[PaymentCreate, Body(title="Payment")],
    ) -> PaymentRead:
        """Record a payment (409 when the bank reference is known already)."""
        user = acting_user(request, db)
        lease = get_lease(db, actor=user, lease_id=lease_id)
        payment = record_payment(
            db,
            lease=lease,
            amount=data.amount,
            paid_on=data.paid_on,
            reference=data.reference,
            note=data.note,
            actor_id=user.id,
        )
        commit(db)
        return _payment(payment)


def _visit(item: Any) -> VisitRead:
    visit: SupportVisit = item.visit
    return VisitRead(
        id=int(visit.id or 0),
        household_id=visit.household_id,
        household_name=item.household_name,
        planned_on=visit.planned_on,
        done_on=visit.done_on,
    )


@get("/api/v1/visits", guards=[SOCIAL], raises=ERRORS, sync_to_thread=True)
def api_visits(request: Request[Any, Any, Any], db: NamedDependency[Session]) -> Calendar:
    """Open visits: overdue, due this week, upcoming (a social worker's own; staff all)."""
    user = acting_user(request, db)
    found = visit_calendar(db, actor=user, today=utcnow().date())
    return Calendar(
        overdue=[_visit(i) for i in found.overdue],
        this_week=[_visit(i) for i in found.this_week],
        upcoming=[_visit(i) for i in found.upcoming],
    )


@post(
    "/api/v1/visits/{visit_id:int}",
    guards=[SOCIAL, json_body],
    raises=WRITE_ERRORS,
    status_code=200,
    sync_to_thread=True,
)
def api_record_visit(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    visit_id: RecordId,
    data: Annotated[VisitDone, Body(title="Visit done")],
) -> VisitRead:
    """Record a visit as done."""
    user = acting_user(request, db)
    today = utcnow().date()
    record = VisitRecord(
        kind=data.kind,
        topics=tuple(data.topics),
        risk=data.risk,
        done_on=data.done_on or today,
        notes=data.notes,
        follow_up=data.follow_up,
    )
    visit = record_visit(db, actor=user, visit_id=visit_id, data=record, today=today)
    commit(db)
    household = get_household(db, actor=user, household_id=visit.household_id)
    return VisitRead(
        id=int(visit.id or 0),
        household_id=visit.household_id,
        household_name=household.reference_name,
        planned_on=visit.planned_on,
        done_on=visit.done_on,
    )


class BarriersApi(Controller):
    """A household's barriers; one controller because the path carries two methods."""

    path = "/api/v1/barriers"

    @get("/", guards=[SOCIAL], raises=[*ERRORS, NotFoundException], sync_to_thread=True)
    def list_barriers(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Session],
        household_id: Annotated[int, QueryParameter(ge=1, le=2**31 - 1)],
    ) -> list[BarrierRead]:
        """The household's barriers from every source, newest first."""
        user = acting_user(request, db)
        get_household(db, actor=user, household_id=household_id)
        return [
            _barrier(db, household_id, item.barrier)
            for item in household_barriers(db, household_id=household_id)
        ]

    @post(
        "/",
        guards=[SOCIAL, json_body],
        raises=WRITE_ERRORS,
        status_code=201,
        sync_to_thread=True,
    )
    def create_barrier(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Session],
        data: Annotated[BarrierCreate, Body(title="Barrier")],
    ) -> BarrierRead:
        """Record a barrier the social worker observed."""
        user = acting_user(request, db)
        if data.observed_on > utcnow().date():
            raise InvalidInput("The date cannot be in the future.", field="observed_on")
        barrier = add_household_barrier(
            db,
            actor=user,
            household_id=data.household_id,
            category_code=data.category_code,
            stage=data.stage,
            observed_on=data.observed_on,
            note=data.note,
        )
        commit(db)
        return _barrier(db, data.household_id, barrier)


@post(
    "/api/v1/barriers/{barrier_id:int}/overcome",
    guards=[SOCIAL, json_body],
    raises=WRITE_ERRORS,
    status_code=200,
    sync_to_thread=True,
)
def api_overcome(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    barrier_id: RecordId,
    data: Annotated[Overcome, Body(title="Overcome")],
) -> BarrierRead:
    """Mark a barrier overcome by an intervention on a date (any source of barrier)."""
    user = acting_user(request, db)
    found = db.get(Barrier, barrier_id)
    if found is None or found.household_id is None:
        raise NotFoundException("This barrier does not exist.")
    household_id = found.household_id
    barrier = overcome_barrier(
        db,
        actor=user,
        household_id=household_id,
        barrier_id=barrier_id,
        intervention_code=data.intervention_code,
        overcome_on=data.overcome_on,
    )
    commit(db)
    return _barrier(db, household_id, barrier)


ROUTES: list[ControllerRouterHandler] = [
    api_leases,
    api_lease,
    PaymentsApi,
    api_visits,
    api_record_visit,
    BarriersApi,
    api_overcome,
]
