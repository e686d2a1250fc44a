"""The household form: its fields, member rows, the area look-up and the cost calculator.

Works without JavaScript: members are fixed rows, ambiguous municipality names come back as
radio choices, and "Calculate" re-renders the form with the proposed maximum housing cost.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from litestar import Request
from sqlmodel import Session

from agency.enums import EthosCategory, MemberKind
from agency.models import Household, HouseholdMember, Municipality, User
from agency.rules import max_housing_cost
from agency.services.flats import label
from agency.services.household_queries import (
    AreaItem,
)
from agency.services.households import (
    MAX_DISTANCE_KM,
    MAX_MEMBERS,
    MAX_ROOMS,
    MONEY_MAX,
    ConsentInput,
    HouseholdInput,
    MemberInput,
)
from web.forms import Form, FormField, FormResult
from web.pages.households_area import Area, resolve_area
from web.render import request_language, t

MEMBER_ROWS = MAX_MEMBERS
ADULT_AGE = 18

ETHOS_LABELS: dict[str, str] = {
    EthosCategory.roofless: "Living rough",
    EthosCategory.emergency: "Emergency accommodation (night shelter)",
    EthosCategory.homeless_accommodation: "Hostel (ubytovna) or asylum housing",
    EthosCategory.institution: "Leaving an institution",
    EthosCategory.non_conventional: "Non-conventional dwelling (hut, caravan)",
    EthosCategory.with_family: "Temporarily with family or friends",
    EthosCategory.insecure: "Insecure housing, threat of eviction",
    EthosCategory.inadequate: "Substandard or overcrowded flat",
}
URGENCY_LABELS: dict[str, str] = {
    "1": "1 – low",
    "2": "2 – below average",
    "3": "3 – medium",
    "4": "4 – high",
    "5": "5 – most urgent",
}
KIND_LABELS: dict[str, str] = {MemberKind.adult: "Adult", MemberKind.child: "Child"}


def _money(name: str, label_id: str, required: bool = False, **extra: Any) -> FormField:
    return FormField(
        name, label_id, kind="int", required=required, low=0, high=MONEY_MAX, max_length=20, **extra
    )


CONSENT_FIELDS = (
    FormField("consent_given", "The household has given its consent", kind="bool"),
    FormField("consent_on", "Consent given on", kind="date"),
    FormField("consent_scope", "Scope of the consent", max_length=500),
)
PERSON_FIELDS = (
    FormField(
        "reference_name",
        "Reference person's name",
        help="Kept only in the household's record.",
        autocomplete="off",
    ),
    FormField("reference_phone", "Phone", required=False, max_length=40, autocomplete="off"),
    FormField(
        "reference_email", "Email", kind="email", required=False, max_length=254, autocomplete="off"
    ),
)
MEMBER_FIELDS = tuple(
    spec
    for row in range(1, MEMBER_ROWS + 1)
    for spec in (
        FormField(
            f"member_kind_{row}",
            f"Member {row}",
            kind="choice",
            required=False,
            choices=tuple(KIND_LABELS.items()),
        ),
        FormField(
            f"member_year_{row}", "Year of birth", kind="int", required=False, low=1900, high=2100
        ),
    )
)
MONEY_FIELDS = (
    _money("monthly_income", "Monthly net income (CZK)", required=True),
    _money("housing_allowance", "Housing allowance (příspěvek na bydlení, CZK per month)"),
    _money("housing_supplement", "Housing supplement (doplatek na bydlení, CZK per month)"),
    _money(
        "max_housing_cost",
        "Maximum monthly housing cost (rent and services, CZK)",
        help="Empty: the calculated value is used. You may lower or change it.",
    ),
    _money("deposit_available", "Deposit the household can pay (CZK)"),
)
CALCULATOR_FIELDS = ("monthly_income", "housing_allowance", "housing_supplement")
AREA_FIELDS = (
    FormField(
        "municipalities",
        "Acceptable municipalities",
        required=False,
        max_length=2000,
        help="Separate the names by semicolons, e.g. Plzeň; Rokycany.",
    ),
    FormField(
        "orps",
        "Acceptable ORPs (whole areas)",
        required=False,
        max_length=2000,
        help="Separate the names by semicolons, e.g. Plzeň; Stod.",
    ),
    FormField("anchor", "Anchor place (municipality)", required=False, max_length=100),
    FormField(
        "anchor_label",
        "What is there",
        required=False,
        help="For example the children's school or work.",
    ),
    FormField(
        "max_distance_km",
        "Maximum distance (km)",
        kind="int",
        required=False,
        low=1,
        high=MAX_DISTANCE_KM,
    ),
)
NEEDS_FIELDS = (
    FormField("needs_step_free", "Needs step-free access", kind="bool"),
    FormField("needs_ground_floor", "Needs the ground floor", kind="bool"),
    FormField("has_pets", "Has pets", kind="bool"),
    FormField("min_rooms", "Minimum number of rooms", kind="int", low=1, high=MAX_ROOMS),
)
SITUATION_FIELDS = (
    FormField(
        "ethos_category",
        "Current housing situation (ETHOS)",
        kind="choice",
        choices=tuple(ETHOS_LABELS.items()),
    ),
    FormField("urgency", "Urgency", kind="choice", choices=tuple(URGENCY_LABELS.items())),
    FormField(
        "urgency_reasons",
        "Reasons of the urgency",
        kind="textarea",
        required=False,
        help="Eviction, children at risk, health, ...",
    ),
    FormField("eviction_date", "Eviction date", kind="date", required=False),
    FormField("move_in_by", "Move in by", kind="date", required=False),
    FormField("notes", "Notes", kind="textarea", required=False),
)


def worker_field(workers: Sequence[User]) -> FormField:
    choices = tuple((str(w.id), w.name) for w in workers)
    return FormField(
        "social_worker_id", "Social worker", kind="choice", required=False, choices=choices
    )


def household_form(workers: Sequence[User], *, new: bool) -> Form:
    """The form for a new household (with consent) or for changing one."""
    consent = CONSENT_FIELDS if new else ()
    return Form(
        *consent,
        *PERSON_FIELDS,
        worker_field(workers),
        *MEMBER_FIELDS,
        *MONEY_FIELDS,
        *AREA_FIELDS,
        *NEEDS_FIELDS,
        *SITUATION_FIELDS,
    )


@dataclass
class Parsed:
    form: FormResult
    members: tuple[MemberInput, ...] = ()
    area: Area = field(default_factory=Area)
    computed: int | None = None


def parse_household(
    request: Request[Any, Any, Any], db: Session, form: Form, data: Mapping[str, Any]
) -> Parsed:
    """Typed values and every error of a submitted household form."""
    result = form.parse(data, request_language(request))
    parsed = Parsed(form=result)
    parsed.members = _members(request, result)
    parsed.area = resolve_area(request, db, result, data)
    _calculate(parsed)
    if "consent_given" in form.by_name and not result.values.get("consent_given"):
        result.add_error("consent_given", t(request, "The household's consent is required."))
    result.errors = {f.name: result.errors[f.name] for f in form.fields if f.name in result.errors}
    return parsed


def calculator_only(parsed: Parsed) -> None:
    """After "Calculate": keep only the calculator's errors, fill in the proposed cost."""
    form = parsed.form
    form.errors = {k: v for k, v in form.errors.items() if k in CALCULATOR_FIELDS}
    if parsed.computed is not None:
        form.raw["max_housing_cost"] = str(parsed.computed)


def _members(request: Request[Any, Any, Any], result: FormResult) -> tuple[MemberInput, ...]:
    members: list[MemberInput] = []
    this_year = date.today().year
    for row in range(1, MEMBER_ROWS + 1):
        kind, year = (
            result.values.get(f"member_kind_{row}"),
            result.values.get(f"member_year_{row}"),
        )
        year_name = f"member_year_{row}"
        if kind is None:
            if year is not None:
                result.add_error(f"member_kind_{row}", t(request, "Choose adult or child."))
            continue
        if year is None:
            result.add_error(year_name, t(request, "Enter the year of birth."))
        elif year > this_year:
            result.add_error(year_name, t(request, "The year of birth cannot be in the future."))
        elif kind == MemberKind.child and this_year - year > ADULT_AGE:
            result.add_error(
                year_name, t(request, "A person born in %(year)s is an adult.", year=year)
            )
        members.append(MemberInput(kind=MemberKind(kind), birth_year=year))
    if not any(m.kind == MemberKind.adult for m in members):
        result.add_error("member_kind_1", t(request, "The household needs at least one adult."))
    return tuple(members)


def _calculate(parsed: Parsed) -> None:
    """The calculator's proposal; an empty maximum takes it."""
    values, errors = parsed.form.values, parsed.form.errors
    if any(name in errors for name in CALCULATOR_FIELDS) or values.get("monthly_income") is None:
        return
    parsed.computed = max_housing_cost(
        int(values["monthly_income"]),
        int(values.get("housing_allowance") or 0),
        int(values.get("housing_supplement") or 0),
    )
    if values.get("max_housing_cost") is None and "max_housing_cost" not in errors:
        values["max_housing_cost"] = parsed.computed


def household_input(parsed: Parsed, default_worker: int) -> HouseholdInput:
    """The service's input from a valid form (no worker chosen: `default_worker`)."""
    v = parsed.form.values
    return HouseholdInput(
        reference_name=v["reference_name"],
        reference_phone=v.get("reference_phone"),
        reference_email=v.get("reference_email"),
        social_worker_id=int(v.get("social_worker_id") or default_worker),
        members=parsed.members,
        monthly_income=int(v["monthly_income"]),
        housing_allowance=int(v.get("housing_allowance") or 0),
        housing_supplement=int(v.get("housing_supplement") or 0),
        max_housing_cost=int(v["max_housing_cost"]),
        deposit_available=int(v.get("deposit_available") or 0),
        municipality_codes=parsed.area.municipality_codes,
        orp_codes=parsed.area.orp_codes,
        anchor_municipality_code=parsed.area.anchor_code,
        anchor_label=v.get("anchor_label") if parsed.area.anchor_code else None,
        max_distance_km=v.get("max_distance_km") if parsed.area.anchor_code else None,
        needs_step_free=bool(v.get("needs_step_free")),
        needs_ground_floor=bool(v.get("needs_ground_floor")),
        has_pets=bool(v.get("has_pets")),
        min_rooms=int(v["min_rooms"]),
        ethos_category=EthosCategory(v["ethos_category"]),
        urgency=int(v["urgency"]),
        urgency_reasons=v.get("urgency_reasons"),
        eviction_date=v.get("eviction_date"),
        move_in_by=v.get("move_in_by"),
        notes=v.get("notes"),
    )


def consent_input(parsed: Parsed) -> ConsentInput:
    v = parsed.form.values
    return ConsentInput(
        given=bool(v.get("consent_given")), on=v["consent_on"], scope=v["consent_scope"]
    )


def initial_values(
    household: Household,
    members: Sequence[HouseholdMember],
    areas: Sequence[AreaItem],
    anchor: Municipality | None,
) -> dict[str, Any]:
    """What the edit form starts with: the household as recorded."""
    values: dict[str, Any] = household.model_dump()
    values["social_worker_id"] = str(household.social_worker_id)
    values["urgency"] = str(household.urgency)
    for row, member in enumerate(members[:MEMBER_ROWS], start=1):
        values[f"member_kind_{row}"] = member.kind.value
        values[f"member_year_{row}"] = member.birth_year
    places = [label(a.municipality) for a in areas if a.municipality is not None]
    values["municipalities"] = "; ".join(places) or None
    values["orps"] = "; ".join(a.orp_name for a in areas if a.orp_name) or None
    values["anchor"] = label(anchor) if anchor else None
    return values
