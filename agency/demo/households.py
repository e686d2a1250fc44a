"""Households in housing need: who they are, what they can pay, where and how urgently."""

from __future__ import annotations

from datetime import timedelta

from agency.demo.context import (
    DemoContext,
    DemoHousehold,
    at,
    email_local,
    ident,
    phone,
    round_to,
)
from agency.demo.people import person_name
from agency.demo.texts import (
    ANCHOR_LABELS,
    CHILDREN_NOTE,
    CONSENT_SCOPE,
    HOUSEHOLD_NOTES,
    hostel_note,
)
from agency.enums import EthosCategory, MemberKind
from agency.models import Household, HouseholdArea, HouseholdMember, User
from agency.rules import max_housing_cost

HOUSEHOLD_COUNT = 120

ETHOS_WEIGHTS: dict[EthosCategory, int] = {
    EthosCategory.homeless_accommodation: 45,
    EthosCategory.inadequate: 25,
    EthosCategory.insecure: 10,
    EthosCategory.with_family: 8,
    EthosCategory.emergency: 5,
    EthosCategory.institution: 3,
    EthosCategory.roofless: 2,
    EthosCategory.non_conventional: 2,
}

SITUATIONS: dict[EthosCategory, str] = {
    EthosCategory.homeless_accommodation: "Bydlí na ubytovně, pokoj sdílí celá domácnost.",
    EthosCategory.inadequate: "Přelidněný byt bez vlastního sociálního zařízení, plíseň.",
    EthosCategory.insecure: "Dostali výpověď z nájmu.",
    EthosCategory.with_family: "Dočasně bydlí u příbuzných v přeplněném bytě.",
    EthosCategory.emergency: "Azylový dům, pobyt končí.",
    EthosCategory.institution: "Odchod z dětského domova, bez zajištěného bydlení.",
    EthosCategory.roofless: "Přespává venku nebo v noclehárně.",
    EthosCategory.non_conventional: "Bydlí v nevyhovující zahradní chatě.",
}

BASE_URGENCY: dict[EthosCategory, int] = {
    EthosCategory.roofless: 5,
    EthosCategory.emergency: 4,
    EthosCategory.insecure: 4,
}


def build_households(ctx: DemoContext) -> int:
    """Household profiles; their statuses are set by the placements story before saving."""
    for _ in range(HOUSEHOLD_COUNT):
        ctx.households.append(_household(ctx))
    return len(ctx.households)


def _household(ctx: DemoContext) -> DemoHousehold:
    adults, children = _members(ctx)
    worker = _social_worker(ctx)
    first, last = person_name(ctx)
    registered = ctx.days_ago(5, 730)
    row = Household(
        reference_name=f"{first} {last}",
        reference_phone=phone(ctx.rng),
        reference_email=f"{email_local(first, last)}@example.cz"
        if ctx.rng.random() < 0.4
        else None,
        organisation_id=_organisation_id(worker),
        social_worker_id=ident(worker),
        registered_on=registered,
        consent_on=registered,
        consent_scope=CONSENT_SCOPE,
        consent_recorded_by_id=ident(worker),
        created_at=at(registered, 9),
        status_changed_at=at(registered, 9),
        notes=ctx.rng.choice(HOUSEHOLD_NOTES),
        monthly_income=0,
        max_housing_cost=0,
        ethos_category=EthosCategory.homeless_accommodation,
    )
    _set_money(ctx, row, adults, len(children))
    _set_needs(ctx, row, len(adults) + len(children))
    return DemoHousehold(row, ctx.place(), adults, children)


def _social_worker(ctx: DemoContext) -> User:
    key = ctx.pick(("social", "social2", "ngo-social", "ngo2-social"), (3, 3, 2, 2))
    return ctx.users[key]


def _members(ctx: DemoContext) -> tuple[list[int], list[int]]:
    year = ctx.today.year
    size = ctx.pick((1, 2, 3, 4, 5, 6, 7), (15, 20, 20, 20, 13, 7, 5))
    reference = year - ctx.rng.randint(19, 67)
    adults = [reference]
    if size > 1 and ctx.rng.random() < 0.6:
        adults.append(reference + ctx.rng.randint(-4, 4))
    if size >= 5 and ctx.rng.random() < 0.3:
        adults.append(reference - ctx.rng.randint(20, 26))
    oldest_child = max(reference + 17, year - 17)
    children = [ctx.rng.randint(min(oldest_child, year), year) for _ in range(size - len(adults))]
    return adults, sorted(children)


def _set_money(ctx: DemoContext, row: Household, adults: list[int], children: int) -> None:
    """Net income with child benefits, housing benefits, and what that lets them pay."""
    income = sum(_adult_income(ctx, ctx.today.year - born) for born in adults)
    row.monthly_income = round_to(income + children * ctx.rng.randint(900, 1500), 100)
    if ctx.rng.random() >= 0.3:
        row.housing_allowance = round_to(ctx.rng.randint(2000, 7000), 100)
    if ctx.rng.random() < 0.2:
        row.housing_supplement = round_to(ctx.rng.randint(1000, 4500), 100)
    row.max_housing_cost = max_housing_cost(
        row.monthly_income, row.housing_allowance, row.housing_supplement
    )
    if ctx.rng.random() >= 0.45:
        row.deposit_available = ctx.rng.randint(5, 25) * 1000


def _adult_income(ctx: DemoContext, age: int) -> int:
    if age >= 64:
        return ctx.rng.randint(15000, 21000)  # old-age pension
    if ctx.rng.random() < 0.55:
        return ctx.rng.randint(17000, 32000)  # net wage
    return ctx.rng.randint(4000, 7000)  # subsistence benefit


def _set_needs(ctx: DemoContext, row: Household, size: int) -> None:
    row.needs_step_free = ctx.rng.random() < 0.06
    row.needs_ground_floor = ctx.rng.random() < 0.08
    row.has_pets = ctx.rng.random() < 0.15
    row.min_rooms = max(1, min(4, (size + 1) // 2 - (1 if ctx.rng.random() < 0.3 else 0)))


def _organisation_id(user: User) -> int:
    if user.organisation_id is None:
        raise RuntimeError(f"the social worker {user.email} has no organisation")
    return user.organisation_id


def set_situation(ctx: DemoContext, household: DemoHousehold) -> None:
    """ETHOS category, urgency and its reasons, relative to the registration date."""
    row = household.row
    row.ethos_category = ctx.pick(list(ETHOS_WEIGHTS), list(ETHOS_WEIGHTS.values()))
    if row.ethos_category == EthosCategory.insecure:
        row.eviction_date = row.registered_on + timedelta(days=ctx.rng.randint(30, 120))
    urgency, reasons = _urgency(ctx, household)
    row.urgency = max(1, min(5, urgency + ctx.rng.randint(-1, 1)))
    row.urgency_reasons = " ".join(reasons)
    if row.urgency >= 4 and ctx.rng.random() < 0.5:
        row.move_in_by = row.registered_on + timedelta(days=ctx.rng.randint(45, 120))
    _set_note(ctx, household)


def _urgency(ctx: DemoContext, household: DemoHousehold) -> tuple[int, list[str]]:
    row = household.row
    urgency, reasons = BASE_URGENCY.get(row.ethos_category, 2), [SITUATIONS[row.ethos_category]]
    if (evicted := row.eviction_date) is not None:
        reasons.append(f"Vystěhování nařízeno k {evicted.day}. {evicted.month}. {evicted.year}.")
    if household.children and ctx.rng.random() < 0.5:
        reasons.append("OSPOD sleduje bytové podmínky dětí.")
        urgency += 1
    if row.needs_step_free:
        reasons.append("Zdravotní stav člena domácnosti, potřeba bezbariérového bytu.")
        urgency += 1
    return urgency, reasons


def _set_note(ctx: DemoContext, household: DemoHousehold) -> None:
    row = household.row
    if row.ethos_category == EthosCategory.homeless_accommodation and ctx.rng.random() < 0.5:
        row.notes = hostel_note(ctx.rng.randint(9, 16) * 1000)
    elif household.children and row.notes is None and ctx.rng.random() < 0.4:
        row.notes = CHILDREN_NOTE


def add_members_and_areas(ctx: DemoContext) -> int:
    rows: list[HouseholdMember | HouseholdArea] = []
    for household in ctx.households:
        rows += _member_rows(household)
        rows += _area_rows(ctx, household)
    ctx.session.add_all(rows)
    return len(rows)


def _member_rows(household: DemoHousehold) -> list[HouseholdMember]:
    hid = ident(household.row)
    adults = [
        HouseholdMember(household_id=hid, kind=MemberKind.adult, birth_year=y, is_reference=i == 0)
        for i, y in enumerate(household.adults)
    ]
    kids = [
        HouseholdMember(household_id=hid, kind=MemberKind.child, birth_year=y)
        for y in household.children
    ]
    return adults + kids


def _area_rows(ctx: DemoContext, household: DemoHousehold) -> list[HouseholdArea]:
    """Municipalities or ORPs; a quarter use a distance from an anchor place instead."""
    row, place = household.row, household.place
    if ctx.rng.random() < 0.25:
        row.anchor_municipality_code = place.code
        row.anchor_label = ctx.rng.choice(ANCHOR_LABELS)
        row.max_distance_km = ctx.rng.choice((10, 15, 20, 25, 30))
        return []
    areas = [HouseholdArea(household_id=ident(row), municipality_code=place.code)]
    if ctx.rng.random() < 0.3:
        areas.append(HouseholdArea(household_id=ident(row), orp_code=place.orp_code))
    other = ctx.place()
    if other.code != place.code and ctx.rng.random() < 0.3:
        areas.append(HouseholdArea(household_id=ident(row), municipality_code=other.code))
    return areas


def save_households(ctx: DemoContext) -> int:
    ctx.session.add_all([h.row for h in ctx.households])
    ctx.session.flush()
    return len(ctx.households)
