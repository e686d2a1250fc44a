"""The landlord's flat form: its fields, the municipality look-up, and typed submissions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from litestar import Request
from litestar.datastructures import State
from sqlmodel import Session

from agency.enums import LandlordKind, Language
from agency.errors import InvalidInput
from agency.models import Municipality
from agency.models.base import utcnow
from agency.services.flats import (
    BOUNDS,
    ENERGY_CLASSES,
    LAYOUTS,
    FlatDetails,
    FlatSubmission,
    check_values,
    resolve_municipality,
)
from agency.services.landlords import LandlordDetails, LinkMaker, MagicLink
from agency.services.users import PublicLimit, count_public_submission
from web.deps import client_ip, runtime
from web.forms import Form, FormField, FormResult
from web.render import request_language, t
from web.tokens import MAGIC_LINK_DAYS, MAGIC_LINK_PURPOSE, make_token


def _number(name: str, label: str, kind: str = "int", **extra: Any) -> FormField:
    low, high = BOUNDS[name]
    return FormField(name, label, kind=kind, low=low, high=high, max_length=20, **extra)


LANDLORD_FIELDS = (
    FormField(
        "kind",
        "You offer the flat as",
        kind="choice",
        choices=(("person", "A private person"), ("company", "A company")),
    ),
    FormField("name", "Your name (or the company's name)", autocomplete="name"),
    FormField(
        "company_id",
        "Company ID (IČO)",
        required=False,
        max_length=20,
        help="Companies only: 8 digits.",
    ),
    FormField("email", "Email", kind="email", max_length=254, autocomplete="email"),
    FormField("phone", "Phone", required=False, max_length=40, autocomplete="tel"),
    FormField(
        "language",
        "Language for our messages",
        kind="choice",
        choices=(("cs", "Czech"), ("en", "English")),
    ),
)
ADDRESS_FIELDS = (
    FormField("street", "Street and house number", autocomplete="address-line1"),
    FormField("postcode", "Postcode", max_length=10, autocomplete="postal-code"),
    FormField("municipality", "Municipality", max_length=100, help="For example Plzeň."),
    FormField("municipality_code", "Municipality", kind="int", required=False, max_length=10),
)
FLAT_FIELDS = (
    FormField("layout", "Layout", kind="choice", choices=tuple((x, x) for x in LAYOUTS)),
    _number("area_m2", "Floor area (m²)", kind="float"),
    _number("floor", "Floor", help="0 is the ground floor, -1 the basement."),
    FormField("lift", "The building has a lift", kind="bool"),
    FormField("step_free", "Step-free access to the flat", kind="bool"),
    FormField("furnished", "Furnished", kind="bool"),
    FormField("pets_allowed", "Pets allowed", kind="bool"),
    FormField(
        "energy_class",
        "Energy class",
        kind="choice",
        required=False,
        choices=tuple((x, x) for x in ENERGY_CLASSES),
    ),
)
MONEY_FIELDS = (
    _number("rent", "Rent (CZK per month)"),
    _number("services", "Service charges (CZK per month)", help="Water, heating, lift, ..."),
    _number("deposit", "Deposit (CZK)", help="At most three months' rent (§ 2254 Civil Code)."),
    FormField("available_from", "Available from", kind="date"),
    _number("min_lease_months", "Shortest lease (months)"),
)
NOTES_FIELD = FormField("notes", "Notes", kind="textarea", required=False)
TERMS_FIELD = FormField(
    "terms_accepted", "I agree with the agency's terms of cooperation.", kind="bool"
)
EDIT_FORM = Form(*ADDRESS_FIELDS, *FLAT_FIELDS, *MONEY_FIELDS, NOTES_FIELD)
OFFER_FORM = Form(*LANDLORD_FIELDS, *EDIT_FORM.fields, TERMS_FIELD)
SECTIONS = (
    ("About you", LANDLORD_FIELDS),
    ("Address", ADDRESS_FIELDS),
    ("The flat", FLAT_FIELDS),
    ("Rent and terms", MONEY_FIELDS),
)


@dataclass
class Parsed:
    """A parsed form plus the municipality choices to offer (when the name is ambiguous)."""

    form: FormResult
    choices: tuple[Municipality, ...] = ()


def parse_flat_form(
    request: Request[Any, Any, Any], db: Session, form: Form, data: Mapping[str, Any]
) -> Parsed:
    """Typed values and every error: per field, the municipality, and the shared rules."""
    result = form.parse(data, request_language(request))
    choices = _resolve_place(request, db, result)
    values = {k: v for k, v in result.values.items() if k not in result.errors}
    if "terms_accepted" not in form.by_name:
        values.pop("terms_accepted", None)
    for problem in check_values(values, today=utcnow().date()):
        result.add_error(problem.field, t(request, problem.message, **problem.values))
    result.errors = {f.name: result.errors[f.name] for f in form.fields if f.name in result.errors}
    return Parsed(form=result, choices=choices)


def _resolve_place(
    request: Request[Any, Any, Any], db: Session, result: FormResult
) -> tuple[Municipality, ...]:
    text = result.values.get("municipality")
    if not text:
        return ()
    code = result.values.get("municipality_code")
    found = resolve_municipality(db, text=text, code=code if isinstance(code, int) else None)
    result.errors.pop("municipality_code", None)  # a bad hidden code falls back to the name
    if found.found is not None:
        result.values["municipality_code"] = found.found.code
        result.raw["municipality_code"] = str(found.found.code)
        return ()
    result.values["municipality_code"] = None
    result.raw["municipality_code"] = ""
    message = (
        "Several municipalities have this name: choose yours below."
        if found.ambiguous
        else "We could not find this municipality. Check the spelling."
    )
    result.add_error("municipality", t(request, message))
    return found.choices


def flat_details(values: Mapping[str, Any]) -> FlatDetails:
    names = FlatDetails.__dataclass_fields__
    return FlatDetails(**{k: v for k, v in values.items() if k in names})


def submission(values: Mapping[str, Any]) -> FlatSubmission:
    landlord = LandlordDetails(
        kind=LandlordKind(values["kind"]),
        name=values["name"],
        email=values["email"],
        phone=values.get("phone"),
        company_id=(values.get("company_id") or "").replace(" ", "") or None,
        language=Language(values["language"]),
    )
    return FlatSubmission(
        landlord=landlord,
        flat=flat_details(values),
        terms_accepted=bool(values.get("terms_accepted")),
    )


def magic_links(state: State) -> LinkMaker:
    """Login links for landlords, signed with the app's secret, valid MAGIC_LINK_DAYS."""
    settings = runtime(state).settings

    def make(landlord_id: int) -> MagicLink:
        now = utcnow()
        token = make_token(
            settings.secret_key,
            purpose=MAGIC_LINK_PURPOSE,
            subject=landlord_id,
            now=now,
            days=MAGIC_LINK_DAYS,
        )
        url = f"{settings.base_url}/auth/link?token={token}"
        return MagicLink(url=url, expires_at=now + timedelta(days=MAGIC_LINK_DAYS))

    return make


def add_service_error(
    request: Request[Any, Any, Any], result: FormResult, exc: InvalidInput
) -> None:
    """A rule the service refused, shown at its field (the municipality for its code)."""
    name = exc.field if exc.field in result.raw else "name"
    if exc.field == "municipality_code":
        name = "municipality"
    result.add_error(name, t(request, exc.message))


OFFER_KIND = "offer"  # the offer form and the public API share one limit
LINK_KIND = "login_link"


def public_limit(state: State) -> PublicLimit:
    limits = runtime(state).settings.public_limits
    return PublicLimit(
        window=timedelta(minutes=limits.window_minutes),
        per_ip=limits.per_ip,
        per_email=limits.per_email,
    )


def count_submission(
    request: Request[Any, Any, Any], db: Session, state: State, *, kind: str, email: str
) -> None:
    """Count a public submission against the limits (raises TooManySubmissions when over)."""
    count_public_submission(
        db, kind=kind, email=email, ip=client_ip(request), now=utcnow(), limit=public_limit(state)
    )
