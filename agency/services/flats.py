"""Landlord-side flat services: the offer, edits before vetting, withdrawal, the municipality.

The rules a landlord's input must follow live here once (`check_values`), used by the public
form (to list every problem at once), the JSON API and the services themselves.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from dataclasses import field as dc_field
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from agency.enums import AuditAction, FlatStatus, UserRole
from agency.errors import Conflict, InvalidInput
from agency.models import (
    Flat,
    Municipality,
    User,
)
from agency.rules import building_key, fold_diacritics, normalise_layout, parse_layout
from agency.services.audit import record_audit
from agency.services.gazetteer import search_municipalities
from agency.services.landlords import (
    LandlordDetails,
    LinkMaker,
    find_or_create_landlord,
    get_landlord_flat,
)
from agency.services.status import change_status
from notifications.service import Recipient, notify

LAYOUTS: tuple[str, ...] = tuple(f"{n}+{k}" for n in range(1, 7) for k in ("kk", "1"))
ENERGY_CLASSES: tuple[str, ...] = tuple("ABCDEFG")
# (low, high) per numeric field; the form, the API model and the services share them.
BOUNDS: Mapping[str, tuple[float, float]] = {
    "floor": (-1, 60),
    "area_m2": (10, 500),
    "rent": (500, 200_000),
    "services": (0, 50_000),
    "deposit": (0, 600_000),
    "min_lease_months": (1, 120),
}
MAX_DEPOSIT_MONTHS = 3  # § 2254 of the Civil Code (občanský zákoník)
PAST_DAYS = 7
FUTURE_DAYS = 2 * 366


@dataclass(frozen=True)
class FlatDetails:
    """A flat as its landlord describes it (shared by the form, the API and the edit page)."""

    street: str
    postcode: str
    municipality_code: int
    floor: int
    layout: str
    area_m2: float
    rent: int
    services: int
    deposit: int
    available_from: date
    min_lease_months: int = 12
    lift: bool = False
    step_free: bool = False
    pets_allowed: bool = False
    furnished: bool = False
    energy_class: str | None = None
    notes: str | None = None


# What a landlord may change while the flat is `submitted`.
EDITABLE: tuple[str, ...] = tuple(FlatDetails.__dataclass_fields__)


@dataclass(frozen=True)
class FlatSubmission:
    landlord: LandlordDetails
    flat: FlatDetails
    terms_accepted: bool


@dataclass(frozen=True)
class Problem:
    """A broken rule: an English message id with its values, and the field it is about."""

    field: str
    message: str
    values: Mapping[str, Any] = dc_field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.message % dict(self.values) if self.values else self.message


def _range(name: str, value: Any) -> Problem | None:
    low, high = BOUNDS[name]
    if isinstance(value, bool) or not low <= value <= high:
        bounds = {"low": f"{low:g}", "high": f"{high:g}"}
        return Problem(name, "Enter a number between %(low)s and %(high)s.", bounds)
    return None


def _formats(values: Mapping[str, Any]) -> list[Problem]:
    found: list[Problem] = []
    postcode = values.get("postcode")
    if postcode is not None and not re.fullmatch(r"\d{5}", normalise_postcode(postcode)):
        found.append(Problem("postcode", "Enter a postcode of 5 digits, e.g. 326 00."))
    phone = values.get("phone")
    if phone and not re.fullmatch(r"\+?[\d ]{9,20}", phone.strip()):
        found.append(Problem("phone", "Enter a phone number, e.g. +420 602 123 456."))
    layout = values.get("layout")
    if layout is not None and _layout(layout) not in LAYOUTS:
        found.append(Problem("layout", "Choose one of the options."))
    energy = values.get("energy_class")
    if energy and energy not in ENERGY_CLASSES:
        found.append(Problem("energy_class", "Choose one of the options."))
    return found


def _layout(layout: str) -> str | None:
    try:
        return normalise_layout(layout)
    except ValueError:
        return None


def _company(values: Mapping[str, Any]) -> list[Problem]:
    if values.get("kind") != "company":
        return []
    ico = (values.get("company_id") or "").replace(" ", "")
    if not ico:
        return [Problem("company_id", "A company must give its company ID (IČO).")]
    if not valid_ico(ico):
        return [Problem("company_id", "This company ID (IČO) is not valid: check its 8 digits.")]
    return []


def _money_and_dates(values: Mapping[str, Any], today: date) -> list[Problem]:
    found: list[Problem] = []
    rent, deposit = values.get("rent"), values.get("deposit")
    if rent is not None and deposit is not None and deposit > MAX_DEPOSIT_MONTHS * rent:
        limit = {"max": MAX_DEPOSIT_MONTHS * rent}
        message = (
            "By § 2254 of the Civil Code the deposit may be at most three months' rent,"
            " here %(max)s CZK."
        )
        found.append(Problem("deposit", message, limit))
    start = values.get("available_from")
    if start is not None and start < today - timedelta(days=PAST_DAYS):
        message = "The date may be at most %(days)s days in the past."
        found.append(Problem("available_from", message, {"days": PAST_DAYS}))
    elif start is not None and start > today + timedelta(days=FUTURE_DAYS):
        found.append(Problem("available_from", "The date may be at most two years ahead."))
    return found


def check_values(values: Mapping[str, Any], *, today: date) -> list[Problem]:
    """Every rule broken by `values` (field name → typed value); missing values are skipped."""
    found = [p for n in BOUNDS if values.get(n) is not None and (p := _range(n, values[n]))]
    found += _formats(values) + _company(values) + _money_and_dates(values, today)
    if "terms_accepted" in values and values["terms_accepted"] is not True:
        found.append(Problem("terms_accepted", "Please agree to the agency's terms."))
    return found


def valid_ico(ico: str) -> bool:
    """The Czech company ID's mod-11 check digit."""
    if not re.fullmatch(r"\d{8}", ico):
        return False
    total = sum(int(d) * w for d, w in zip(ico[:7], range(8, 1, -1), strict=True))
    return (11 - total % 11) % 10 == int(ico[7])


def normalise_postcode(postcode: str) -> str:
    return re.sub(r"\s+", "", postcode)


def _raise_first(problems: Sequence[Problem]) -> None:
    if problems:
        raise InvalidInput(problems[0].text, field=problems[0].field)


def _place(session: Session, code: int) -> Municipality:
    found = session.get(Municipality, code)
    if found is None:
        raise InvalidInput("No municipality has this code.", field="municipality_code")
    return found


def _columns(details: FlatDetails) -> dict[str, Any]:
    """The flat's columns from `details`, normalised (the rules were checked before)."""
    columns = asdict(details)
    street = " ".join(details.street.split())
    columns |= {
        "street": street,
        "postcode": normalise_postcode(details.postcode),
        "layout": normalise_layout(details.layout),
        "rooms": parse_layout(details.layout),
        "building_key": building_key(street, details.municipality_code),
        "notes": (details.notes or "").strip() or None,
    }
    return columns


def submit_flat(
    session: Session, *, submission: FlatSubmission, link: LinkMaker, now: datetime
) -> Flat:
    """A new offer: the landlord found or created by email, the flat `submitted`, audited;
    staff and the landlord (with a login link) notified in the same transaction."""
    values = asdict(submission.landlord) | asdict(submission.flat)
    _raise_first(
        check_values(values | {"terms_accepted": submission.terms_accepted}, today=now.date())
    )
    place = _place(session, submission.flat.municipality_code)
    landlord = find_or_create_landlord(session, details=submission.landlord, now=now)
    flat = Flat(
        landlord_id=int(landlord.id or 0),
        status=FlatStatus.submitted,
        created_at=now,
        status_changed_at=now,
        **_columns(submission.flat),
    )
    session.add(flat)
    session.flush()
    record_audit(
        session,
        actor_id=None,
        action=AuditAction.create,
        entity="flat",
        entity_id=int(flat.id or 0),
        to_status=FlatStatus.submitted.value,
    )
    address = f"{flat.street}, {place.name}"
    _notify_received(session, flat=flat, address=address, landlord_name=landlord.name, now=now)
    made = link(int(landlord.id or 0))
    notify(
        session,
        kind="flat_received_landlord",
        event_key=f"flat_received_landlord:{flat.id}",
        recipients=[Recipient(landlord.email, str(landlord.preferred_language))],
        context={
            "landlord_name": landlord.name,
            "address": address,
            "magic_link_url": made.url,
            "expires_at": made.expires_at,
        },
        now=now,
    )
    return flat


def _notify_received(
    session: Session, *, flat: Flat, address: str, landlord_name: str, now: datetime
) -> None:
    staff = session.exec(
        select(User).where(User.role == UserRole.staff, col(User.active).is_(True))
    ).all()
    notify(
        session,
        kind="flat_received",
        event_key=f"flat_received:{flat.id}",
        recipients=staff,
        context={
            "address": address,
            "landlord_name": landlord_name,
            "rent": flat.rent,
            "services": flat.services,
        },
        link=f"/staff/flats/{flat.id}",
        now=now,
    )


def update_submitted_flat(
    session: Session,
    *,
    landlord_id: int | None,
    flat_id: int,
    details: FlatDetails,
    actor_id: int | None,
    now: datetime,
) -> Flat:
    """Change a flat the agency has not started vetting yet (Conflict afterwards), audited."""
    flat = get_landlord_flat(session, landlord_id=landlord_id, flat_id=flat_id)
    if flat.status != FlatStatus.submitted:
        raise Conflict("The flat can be changed only until the agency starts vetting it.")
    _raise_first(check_values(asdict(details), today=now.date()))
    _place(session, details.municipality_code)
    columns = _columns(details)
    changed = sorted(n for n in EDITABLE if getattr(flat, n) != columns[n])
    for name, value in columns.items():
        setattr(flat, name, value)
    session.add(flat)
    session.flush()
    record_audit(
        session,
        actor_id=actor_id,
        action=AuditAction.update,
        entity="flat",
        entity_id=flat_id,
        details={"changed": changed},
    )
    return flat


def withdraw_flat(
    session: Session,
    *,
    landlord_id: int | None,
    flat_id: int,
    actor_id: int | None,
    now: datetime,
    reason: str | None = None,
) -> Flat:
    """The landlord takes the flat back: allowed in any status before it is let."""
    flat = get_landlord_flat(session, landlord_id=landlord_id, flat_id=flat_id)
    if flat.status in (FlatStatus.let, FlatStatus.withdrawn):
        raise Conflict("A flat that is let or already withdrawn cannot be withdrawn.")
    change_status(
        session,
        flat,
        FlatStatus.withdrawn,
        entity="flat",
        actor_id=actor_id,
        reason=reason or "withdrawn by the landlord",
        now=now,
    )
    return flat


@dataclass(frozen=True)
class MunicipalityMatch:
    """The municipality the landlord meant, or the choices to pick from."""

    found: Municipality | None
    choices: tuple[Municipality, ...] = ()
    ambiguous: bool = False


def resolve_municipality(
    session: Session, *, text: str, code: int | None = None, limit: int = 200
) -> MunicipalityMatch:
    """Resolve typed text (ignoring case and diacritics) to one municipality.

    A code chosen in the type-ahead or among the choices wins when its name starts with what
    was typed;
    several municipalities of the same name are returned as choices; when none has the name,
    the names starting with the text are returned as suggestions.
    """
    folded = fold_diacritics(" ".join(text.split()))
    if code is not None:
        chosen = session.get(Municipality, code)
        if chosen is not None and folded and _names(chosen, folded):
            return MunicipalityMatch(found=chosen)
    candidates = search_municipalities(session, prefix=folded, limit=limit)
    exact = tuple(m for m in candidates if m.name_folded == folded)
    if len(exact) == 1:
        return MunicipalityMatch(found=exact[0])
    if exact:
        return MunicipalityMatch(found=None, choices=exact, ambiguous=True)
    return MunicipalityMatch(found=None, choices=tuple(candidates[:10]))


def _names(chosen: Municipality, folded: str) -> bool:
    """Whether typed text names `chosen`: its name's start (a suggestion picked) or its label."""
    return chosen.name_folded.startswith(folded) or folded == fold_diacritics(label(chosen))


def label(municipality: Municipality) -> str:
    """The name with its district, telling apart the many villages of one name."""
    return f"{municipality.name} (okres {municipality.okres_name})"
