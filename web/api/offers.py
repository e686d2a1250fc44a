"""Public JSON API for landlords: submit a flat (the same service as the form), and the
municipality type-ahead."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from litestar import Request, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.exceptions import ValidationException
from litestar.params import JSONBody, QueryParameter
from litestar.types import ControllerRouterHandler
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    field_validator,
)
from sqlmodel import Session

from agency.enums import FlatStatus, LandlordKind, Language
from agency.errors import InvalidInput
from agency.models import Flat, Municipality
from agency.models.base import utcnow
from agency.services.flats import BOUNDS, FlatDetails, FlatSubmission, submit_flat
from agency.services.gazetteer import search_municipalities
from agency.services.landlords import LandlordDetails
from web.api.flats import ApiInput, TooManyRequestsError, UnprocessableError
from web.deps import commit
from web.pages.landlord_forms import OFFER_KIND, count_submission, magic_links

MAX_QUERY = 100
INT_FIELDS = ("municipality_code", "floor", "rent", "services", "deposit", "min_lease_months")
BOOL_FIELDS = ("terms_accepted", "lift", "step_free", "pets_allowed", "furnished")
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
]


def _bounded(name: str) -> object:
    low, high = BOUNDS[name]
    return Field(ge=low, le=high)


class LandlordCreate(ApiInput):
    model_config = ConfigDict(extra="forbid")

    kind: LandlordKind = LandlordKind.person
    name: Text
    email: Email
    phone: Annotated[str, StringConstraints(max_length=40)] | None = None
    company_id: Annotated[str, StringConstraints(max_length=20)] | None = Field(
        default=None, description="IČO, required for companies"
    )
    language: Language = Language.cs


class FlatCreate(ApiInput):
    """A flat offered by a landlord; the agency's terms must be accepted."""

    model_config = ConfigDict(extra="forbid")

    landlord: LandlordCreate
    terms_accepted: StrictBool
    street: Text
    postcode: Annotated[str, StringConstraints(max_length=10)]
    municipality_code: StrictInt = Field(ge=1, le=999_999)
    floor: Annotated[StrictInt, _bounded("floor")]
    layout: Annotated[str, StringConstraints(max_length=10)] = Field(examples=["2+kk"])
    area_m2: Annotated[float, _bounded("area_m2")]
    rent: Annotated[StrictInt, _bounded("rent")]
    services: Annotated[StrictInt, _bounded("services")]
    deposit: Annotated[StrictInt, _bounded("deposit")]
    available_from: date
    min_lease_months: Annotated[StrictInt, _bounded("min_lease_months")] = 12
    lift: StrictBool = False
    step_free: StrictBool = False
    pets_allowed: StrictBool = False
    furnished: StrictBool = False
    energy_class: Annotated[str, StringConstraints(max_length=1)] | None = None
    notes: Annotated[str, StringConstraints(max_length=4000)] | None = None

    # Litestar validates bodies in lax mode, which would read "9000" or true as a number.
    @field_validator(*INT_FIELDS, mode="before")
    @classmethod
    def _whole_number(cls, value: object) -> object:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("must be a whole number")
        return value

    @field_validator(*BOOL_FIELDS, mode="before")
    @classmethod
    def _boolean(cls, value: object) -> object:
        if not isinstance(value, bool):
            raise ValueError("must be true or false")
        return value

    def submission(self) -> FlatSubmission:
        landlord = LandlordDetails(**self.landlord.model_dump())
        flat = FlatDetails(**self.model_dump(exclude={"landlord", "terms_accepted"}))
        return FlatSubmission(landlord=landlord, flat=flat, terms_accepted=self.terms_accepted)


class FlatRead(BaseModel):
    """The offer as stored (no internal fields)."""

    id: int
    status: FlatStatus
    street: str
    postcode: str
    municipality_code: int
    municipality_name: str
    floor: int
    layout: str
    rooms: int
    area_m2: float
    rent: int
    services: int
    deposit: int
    available_from: date
    min_lease_months: int
    lift: bool
    step_free: bool
    pets_allowed: bool
    furnished: bool
    energy_class: str | None
    created_at: datetime

    @classmethod
    def of(cls, flat: Flat, municipality_name: str) -> FlatRead:
        values = flat.model_dump(include=set(cls.model_fields) - {"municipality_name"})
        return cls(**values, municipality_name=municipality_name)


class MunicipalityRead(BaseModel):
    code: int
    name: str
    orp_name: str
    okres_name: str
    kraj_name: str


# Public: anyone may offer a flat, as with the web form.
@post(
    "/api/v1/flats",
    status_code=201,
    security=[{}],
    raises=[ValidationException, UnprocessableError, TooManyRequestsError],
    sync_to_thread=True,
    summary="Offer a flat",
)
def create_flat(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    state: State,
    data: JSONBody[FlatCreate],
) -> FlatRead:
    # Over the limit: TooManySubmissions, a 429 with its reason (web/errors.py).
    count_submission(request, db, state, kind=OFFER_KIND, email=data.landlord.email)
    flat = submit_flat(db, submission=data.submission(), link=magic_links(state), now=utcnow())
    place = db.get(Municipality, flat.municipality_code)
    commit(db)
    return FlatRead.of(flat, place.name if place else "")


# Public: the municipality type-ahead of the offer form.
@get(
    "/api/v1/municipalities",
    security=[{}],
    raises=[ValidationException, UnprocessableError],
    sync_to_thread=True,
    summary="Municipalities whose name starts with q (ignoring case and diacritics)",
)
def find_municipalities(
    db: NamedDependency[Session],
    q: Annotated[str, QueryParameter(description="the start of a name, up to 100 characters")] = "",
) -> list[MunicipalityRead]:
    if len(q) > MAX_QUERY:
        raise InvalidInput(f"q may have at most {MAX_QUERY} characters", field="q")
    found = search_municipalities(db, prefix=q, limit=20)
    return [MunicipalityRead.model_validate(m, from_attributes=True) for m in found]


ROUTES: list[ControllerRouterHandler] = [create_flat, find_municipalities]
