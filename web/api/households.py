"""The JSON API for households (session cookie; social workers, staff and admins).

The same services and visibility as the pages: a household of another organisation is 404.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from litestar import Controller, Request, get, post, put
from litestar.di import NamedDependency
from litestar.exceptions import (
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.params import Body, FromQuery, QueryParameter
from litestar.types import ControllerRouterHandler
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from sqlmodel import Session

from agency.enums import EthosCategory, HouseholdCloseReason, HouseholdStatus, MemberKind
from agency.errors import DomainError
from agency.models.base import utcnow
from agency.rules import max_housing_cost
from agency.services.household_queries import (
    HouseholdDetail,
    count_households,
    households_query,
    load_household,
)
from agency.services.households import (
    MAX_DISTANCE_KM,
    MAX_MEMBERS,
    MAX_ROOMS,
    MONEY_MAX,
    ConsentInput,
    HouseholdInput,
    MemberInput,
    record_view,
    register_household,
    update_household,
)
from web.api.flats import WRITE_ERRORS, ApiInput, PageInfo, json_body
from web.deps import commit
from web.guards import SOCIAL
from web.i18n import LOCAL_TZ
from web.pages.households import parse_filters
from web.pages.staff_common import RecordId, acting_user
from web.pagination import paginate


def _exactly(kind: type) -> BeforeValidator:
    """Refuse other JSON types: Litestar validates with strict=False, which overrides
    pydantic's StrictInt/StrictBool (so "yes" would become True and false would become 0)."""

    def check(value: Any) -> Any:
        if value is not None and (type(value) is not kind):
            raise ValueError(f"must be a JSON {'boolean' if kind is bool else 'integer'}")
        return value

    return BeforeValidator(check)


StrictInt = Annotated[int, _exactly(int)]
StrictBool = Annotated[bool, _exactly(bool)]
ERRORS = [NotAuthorizedException, PermissionDeniedException, ValidationException]
PerPage = Annotated[int, QueryParameter(ge=1, le=100)]
Money = Annotated[StrictInt, Field(ge=0, le=MONEY_MAX)]
Text = Annotated[str | None, Field(max_length=2000)]


class Member(ApiInput):
    model_config = ConfigDict(extra="forbid")

    kind: MemberKind
    birth_year: Annotated[StrictInt | None, Field(ge=1900, le=2100)] = None


class HouseholdUpdate(ApiInput):
    """A household's details; `max_housing_cost` null means the calculator's proposal."""

    model_config = ConfigDict(extra="forbid")

    reference_name: Annotated[str, Field(min_length=1, max_length=200)]
    reference_phone: Annotated[str | None, Field(max_length=40)] = None
    reference_email: Annotated[str | None, Field(max_length=254)] = None
    social_worker_id: Annotated[StrictInt | None, Field(ge=1, le=2**31 - 1)] = None
    members: Annotated[list[Member], Field(min_length=1, max_length=MAX_MEMBERS)]
    monthly_income: Money
    housing_allowance: Money = 0
    housing_supplement: Money = 0
    max_housing_cost: Money | None = None
    deposit_available: Money = 0
    municipality_codes: Annotated[list[StrictInt], Field(max_length=200)] = []
    orp_codes: Annotated[list[StrictInt], Field(max_length=100)] = []
    anchor_municipality_code: StrictInt | None = None
    anchor_label: Annotated[str | None, Field(max_length=200)] = None
    max_distance_km: Annotated[StrictInt | None, Field(ge=1, le=MAX_DISTANCE_KM)] = None
    needs_step_free: StrictBool = False
    needs_ground_floor: StrictBool = False
    has_pets: StrictBool = False
    min_rooms: Annotated[StrictInt, Field(ge=1, le=MAX_ROOMS)] = 1
    ethos_category: EthosCategory
    urgency: Annotated[StrictInt, Field(ge=1, le=5)]
    urgency_reasons: Text = None
    eviction_date: date | None = None
    move_in_by: date | None = None
    notes: Annotated[str | None, Field(max_length=4000)] = None

    def to_input(self, default_worker: int) -> HouseholdInput:
        values = self.model_dump(
            exclude={"members", "consent_given", "consent_on", "consent_scope"}
        )
        values["members"] = tuple(MemberInput(m.kind, m.birth_year) for m in self.members)
        values["municipality_codes"] = tuple(self.municipality_codes)
        values["orp_codes"] = tuple(self.orp_codes)
        values["social_worker_id"] = self.social_worker_id or default_worker
        if self.max_housing_cost is None:
            values["max_housing_cost"] = max_housing_cost(
                self.monthly_income, self.housing_allowance, self.housing_supplement
            )
        return HouseholdInput(**values)


class HouseholdCreate(HouseholdUpdate):
    """A new household, registered with its consent."""

    consent_given: StrictBool
    consent_on: date
    consent_scope: Annotated[str, Field(min_length=1, max_length=500)]


class HouseholdRead(BaseModel):
    id: int
    status: HouseholdStatus
    close_reason: HouseholdCloseReason | None
    organisation_id: int
    social_worker_id: int
    social_worker_name: str
    reference_name: str
    reference_phone: str | None
    reference_email: str | None
    members: list[Member]
    monthly_income: int
    housing_allowance: int
    housing_supplement: int
    max_housing_cost: int
    deposit_available: int
    municipality_codes: list[int]
    orp_codes: list[int]
    anchor_municipality_code: int | None
    anchor_label: str | None
    max_distance_km: int | None
    needs_step_free: bool
    needs_ground_floor: bool
    has_pets: bool
    min_rooms: int
    ethos_category: EthosCategory
    urgency: int
    urgency_reasons: str | None
    eviction_date: date | None
    move_in_by: date | None
    notes: str | None
    registered_on: date
    consent_on: date
    consent_scope: str
    consent_withdrawn_on: date | None
    pseudonymised_at: datetime | None
    created_at: datetime
    status_changed_at: datetime | None


def household_read(detail: HouseholdDetail) -> HouseholdRead:
    fields = detail.household.model_dump()
    return HouseholdRead(
        **fields,
        social_worker_name=detail.worker.name,
        members=[Member(kind=m.kind, birth_year=m.birth_year) for m in detail.members],
        municipality_codes=[a.municipality.code for a in detail.areas if a.municipality],
        orp_codes=[a.orp_code for a in detail.areas if a.orp_code is not None],
    )


class HouseholdSummary(BaseModel):
    id: int
    reference_name: str
    status: HouseholdStatus
    urgency: int
    ethos_category: EthosCategory
    adults: int
    children: int
    max_housing_cost: int
    registered_on: date
    days_waited: int
    social_worker_id: int
    social_worker_name: str


class HouseholdPage(BaseModel):
    items: list[HouseholdSummary]
    pagination: PageInfo


def _summary(row: Any, today: date) -> HouseholdSummary:
    household, worker_name, adults, children = row
    return HouseholdSummary(
        **household.model_dump(include=set(HouseholdSummary.model_fields)),
        adults=adults,
        children=children,
        days_waited=(today - household.registered_on).days,
        social_worker_name=worker_name,
    )


def _today() -> date:
    return utcnow().astimezone(LOCAL_TZ).date()


class HouseholdApi(Controller):
    """One controller: its paths carry two methods each (see staff_vetting)."""

    path = "/api/v1/households"

    @get("/", guards=[SOCIAL], raises=ERRORS, sync_to_thread=True)
    def list_households(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Session],
        status: FromQuery[str | None] = None,
        urgency: FromQuery[str | None] = None,
        orp: FromQuery[str | None] = None,
        ethos: FromQuery[str | None] = None,
        page: FromQuery[str | None] = None,
        per_page: PerPage = 25,
    ) -> HouseholdPage:
        """The households the user works with, most urgent first, one page at a time."""
        user = acting_user(request, db)
        # No search by name here: a name in a URL would end up in logs.
        raw = {"status": status, "urgency": urgency, "orp": orp, "ethos": ethos}
        filters, number, errors = parse_filters(raw | {"page": page})
        if errors:
            raise DomainError(" ".join(errors))
        total = count_households(db, user, filters)
        query = households_query(user, filters)
        found = paginate(db, query, page=number, per_page=per_page, total=total)
        today = _today()
        items = [_summary(row, today) for row in found.items]
        return HouseholdPage(items=items, pagination=PageInfo.of(found.pagination))

    @get(
        "/{household_id:int}",
        guards=[SOCIAL],
        raises=[*ERRORS, NotFoundException],
        sync_to_thread=True,
    )
    def read_household(
        self, request: Request[Any, Any, Any], db: NamedDependency[Session], household_id: RecordId
    ) -> HouseholdRead:
        """One household in full; the reading is written to the audit log."""
        user = acting_user(request, db)
        detail = load_household(db, actor=user, household_id=household_id)
        record_view(db, actor=user, household=detail.household)
        commit(db)
        return household_read(detail)

    @post(
        "/",
        guards=[SOCIAL, json_body],
        raises=WRITE_ERRORS,
        status_code=201,
        sync_to_thread=True,
    )
    def create_household(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Session],
        data: Annotated[HouseholdCreate, Body(title="New household")],
    ) -> HouseholdRead:
        """Register a household with its consent (422 when a rule refuses it)."""
        user = acting_user(request, db)
        consent = ConsentInput(
            given=data.consent_given, on=data.consent_on, scope=data.consent_scope
        )
        household = register_household(
            db, actor=user, data=data.to_input(int(user.id or 0)), consent=consent, today=_today()
        )
        commit(db)
        return household_read(load_household(db, actor=user, household_id=int(household.id or 0)))

    @put(
        "/{household_id:int}",
        guards=[SOCIAL, json_body],
        raises=WRITE_ERRORS,
        sync_to_thread=True,
    )
    def replace_household(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Session],
        household_id: RecordId,
        data: Annotated[HouseholdUpdate, Body(title="Household")],
    ) -> HouseholdRead:
        """Replace a household's details (409 when it is closed)."""
        user = acting_user(request, db)
        current = load_household(db, actor=user, household_id=household_id).household
        update_household(
            db, actor=user, household_id=household_id, data=data.to_input(current.social_worker_id)
        )
        commit(db)
        return household_read(load_household(db, actor=user, household_id=household_id))


ROUTES: list[ControllerRouterHandler] = [HouseholdApi]
