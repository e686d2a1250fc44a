"""The staff JSON API for flats, their vetting and landlords (session cookie, staff only)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from litestar import Request, get, post
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.handlers.base import BaseRouteHandler
from litestar.params import Body, FromQuery, QueryParameter
from litestar.types import ControllerRouterHandler
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from sqlmodel import Session

from agency.enums import FlatStatus, LandlordKind, Language, VettingDecision, VettingRejection
from agency.errors import DomainError
from agency.models import Flat, Landlord, Municipality
from agency.services.flat_queries import (
    count_flats,
    flat_with_place,
    flats_query,
    get_landlord,
    landlords_query,
)
from agency.services.vetting import MAX_OCCUPANTS, VettingInput, record_vetting
from web.deps import commit
from web.forms import has_control_characters
from web.guards import STAFF
from web.pages.staff_common import RecordId, acting_user, parse_flat_filters
from web.pagination import Pagination, paginate

API = "/api/v1"
ERRORS = [NotAuthorizedException, PermissionDeniedException, ValidationException]
PerPage = Annotated[int, QueryParameter(ge=1, le=100)]


def _only_bool(value: Any) -> Any:
    # Litestar validates in lax mode, which would take "yes" or 1 for true.
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _only_int(value: Any) -> Any:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise ValueError("must be a whole number")
    return value


Checked = Annotated[bool, BeforeValidator(_only_bool)]
WholeNumber = Annotated[int, BeforeValidator(_only_int)]


class ApiInput(BaseModel):
    """A request body whose text holds no control characters (NUL, escape, ...), as in forms."""

    @model_validator(mode="before")
    @classmethod
    def _no_control_characters(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for name, value in data.items():
                texts = value if isinstance(value, list) else [value]
                if any(isinstance(t, str) and has_control_characters(t) for t in texts):
                    raise ValueError(f"{name}: remove the control characters")
        return data


# Wire models: never the tables themselves (no mass assignment, explicit fields).
class MunicipalityRead(BaseModel):
    code: int
    name: str
    orp_code: int
    orp_name: str
    kraj_code: str
    kraj_name: str


class FlatRead(BaseModel):
    id: int
    status: FlatStatus
    street: str
    postcode: str
    municipality: MunicipalityRead
    landlord_id: int
    landlord_name: str
    floor: int
    lift: bool
    step_free: bool
    layout: str
    rooms: int
    area_m2: float
    max_occupants: int | None
    rent: int
    services: int
    deposit: int
    available_from: date
    min_lease_months: int
    pets_allowed: bool
    furnished: bool
    energy_class: str | None
    notes: str | None
    created_at: datetime
    status_changed_at: datetime | None


def flat_read(flat: Flat, landlord: Landlord, municipality: Municipality) -> FlatRead:
    fields = flat.model_dump(exclude={"municipality_code", "building_key"})
    place = MunicipalityRead.model_validate(municipality, from_attributes=True)
    return FlatRead(**fields, municipality=place, landlord_name=landlord.name)


class PageInfo(BaseModel):
    page: int
    per_page: int
    total: int
    pages: int

    @classmethod
    def of(cls, pagination: Pagination) -> PageInfo:
        return cls(
            page=pagination.page,
            per_page=pagination.per_page,
            total=pagination.total,
            pages=pagination.pages,
        )


class FlatPage(BaseModel):
    items: list[FlatRead]
    pagination: PageInfo


class VettingCreate(ApiInput):
    """A vetting decision; checklist items are true when the check passed."""

    model_config = ConfigDict(extra="forbid")

    inspection_date: date
    ownership_checked: Checked
    condition_ok: Checked
    gas_safety_ok: Checked
    electrical_safety_ok: Checked
    rent_within_cap: Checked
    energy_costs_realistic: Checked
    decision: VettingDecision
    rejection_reason: VettingRejection | None = None
    reasons: Annotated[str | None, Field(max_length=4000)] = None
    max_occupants: Annotated[WholeNumber | None, Field(ge=1, le=MAX_OCCUPANTS)] = None


class VettingRead(BaseModel):
    id: int
    flat_id: int
    inspector_id: int
    inspection_date: date
    ownership_checked: bool
    condition_ok: bool
    gas_safety_ok: bool
    electrical_safety_ok: bool
    rent_within_cap: bool
    energy_costs_realistic: bool
    decision: VettingDecision
    rejection_reason: VettingRejection | None
    reasons: str | None
    max_occupants: int | None
    decided_at: datetime
    flat_status: FlatStatus


class LandlordRead(BaseModel):
    id: int
    kind: LandlordKind
    name: str
    company_id: str | None
    email: str
    phone: str | None
    preferred_language: Language
    created_at: datetime


class FlatBrief(BaseModel):
    id: int
    status: FlatStatus
    street: str
    layout: str
    rent: int


class LandlordDetail(LandlordRead):
    flats: list[FlatBrief]


class LandlordPage(BaseModel):
    items: list[LandlordRead]
    pagination: PageInfo


class UnsupportedMediaType(HTTPException):
    status_code = 415


class ConflictError(HTTPException):
    """Documents 409: another open match holds the flat or household, or it changed."""

    status_code = 409


class UnprocessableError(HTTPException):
    """Documents 422: a value the service refused (a scope, a reason, a postcode, ...)."""

    status_code = 422


class TooManyRequestsError(HTTPException):
    """Documents 429: too many public submissions from this address or for this e-mail."""

    status_code = 429


# Domain errors become these statuses in web.errors; listed here for the OpenAPI schema.
DOMAIN = [NotFoundException, ConflictError, UnprocessableError]
# What a state-changing operation may answer besides its success.
WRITE_ERRORS = [*ERRORS, *DOMAIN, UnsupportedMediaType]


def json_body(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Only JSON bodies change state: a cross-site form cannot send one without CORS."""
    content_type = connection.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() != "application/json":
        raise UnsupportedMediaType("send the body as application/json")


@get(f"{API}/flats", guards=[STAFF], raises=ERRORS, sync_to_thread=True)
def list_flats(
    db: NamedDependency[Session],
    status: FromQuery[str | None] = None,
    orp: FromQuery[str | None] = None,
    kraj: FromQuery[str | None] = None,
    q: FromQuery[str | None] = None,
    page: FromQuery[str | None] = None,
    per_page: PerPage = 25,
) -> FlatPage:
    """Flats newest first, filtered like the staff list, one page at a time."""
    raw = {"status": status, "orp": orp, "kraj": kraj, "q": q, "page": page}
    filters, number, errors = parse_flat_filters(raw)
    if errors:
        raise DomainError(" ".join(errors))
    total = count_flats(db, filters)
    found = paginate(db, flats_query(filters), page=number, per_page=per_page, total=total)
    items = [flat_read(*row) for row in found.items]
    return FlatPage(items=items, pagination=PageInfo.of(found.pagination))


@get(
    f"{API}/flats/{{flat_id:int}}",
    guards=[STAFF],
    raises=[*ERRORS, NotFoundException],
    sync_to_thread=True,
)
def read_flat(db: NamedDependency[Session], flat_id: RecordId) -> FlatRead:
    """One flat with its municipality and landlord's name."""
    return flat_read(*flat_with_place(db, flat_id=flat_id))


@post(
    f"{API}/flats/{{flat_id:int}}/vetting",
    guards=[STAFF, json_body],
    raises=WRITE_ERRORS,
    status_code=201,
    sync_to_thread=True,
)
def vet_flat(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    flat_id: RecordId,
    data: Annotated[VettingCreate, Body(title="Vetting")],
) -> VettingRead:
    """Record a vetting decision (409 when the flat is not submitted or in vetting)."""
    user = acting_user(request, db)
    vetting_input = VettingInput(**data.model_dump())
    vetting = record_vetting(
        db, flat_id=flat_id, inspector_id=int(user.id or 0), data=vetting_input
    )
    commit(db)
    flat_status = flat_with_place(db, flat_id=flat_id)[0].status
    return VettingRead(**vetting.model_dump(), flat_status=flat_status)


@get(f"{API}/landlords", guards=[STAFF], raises=ERRORS, sync_to_thread=True)
def list_landlords(
    db: NamedDependency[Session],
    q: Annotated[str | None, QueryParameter(max_length=100)] = None,
    page: Annotated[int, QueryParameter(ge=1, le=100_000)] = 1,
    per_page: PerPage = 25,
) -> LandlordPage:
    """Landlords by name, optionally those whose name or email contains `q`."""
    found = paginate(db, landlords_query(text=q), page=page, per_page=per_page)
    items = [LandlordRead.model_validate(row[0], from_attributes=True) for row in found.items]
    return LandlordPage(items=items, pagination=PageInfo.of(found.pagination))


@get(
    f"{API}/landlords/{{landlord_id:int}}",
    guards=[STAFF],
    raises=[*ERRORS, NotFoundException],
    sync_to_thread=True,
)
def read_landlord(db: NamedDependency[Session], landlord_id: RecordId) -> LandlordDetail:
    """One landlord with their flats."""
    landlord, flats = get_landlord(db, landlord_id=landlord_id)
    briefs = [FlatBrief.model_validate(flat, from_attributes=True) for flat in flats]
    return LandlordDetail(**landlord.model_dump(), flats=briefs)


ROUTES: list[ControllerRouterHandler] = [
    list_flats,
    read_flat,
    vet_flat,
    list_landlords,
    read_landlord,
]
