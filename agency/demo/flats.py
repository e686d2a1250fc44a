"""Flats in every status of their life cycle, the agency's rent caps and the vettings."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from agency.demo.context import (
    DemoContext,
    DemoFlat,
    Place,
    at,
    ident,
    round_to,
)
from agency.demo.texts import FLAT_NOTES, PLZEN_STREETS, STREETS
from agency.enums import FlatStatus, LandlordKind, VettingDecision, VettingRejection
from agency.models import Flat, Landlord, RentCap, Vetting
from agency.rules import building_key, parse_layout

FLAT_PLAN: tuple[tuple[FlatStatus, int], ...] = (
    (FlatStatus.let, 20),
    (FlatStatus.offered, 6),
    (FlatStatus.available, 16),
    (FlatStatus.submitted, 5),
    (FlatStatus.vetting, 4),
    (FlatStatus.rejected, 5),
    (FlatStatus.withdrawn, 4),
)

# How many days ago flats of each status were offered to the agency.
CREATED_DAYS_AGO: dict[FlatStatus, tuple[int, int]] = {
    FlatStatus.submitted: (1, 20),
    FlatStatus.vetting: (8, 40),
    FlatStatus.rejected: (40, 650),
    FlatStatus.withdrawn: (60, 700),
    FlatStatus.available: (20, 700),
    FlatStatus.offered: (40, 500),
    FlatStatus.let: (90, 720),
}

# layout: (weight, area range m², max occupants)
LAYOUTS: dict[str, tuple[int, tuple[int, int], int]] = {
    "1+kk": (12, (22, 34), 2),
    "1+1": (10, (30, 42), 3),
    "2+kk": (12, (40, 55), 3),
    "2+1": (14, (48, 66), 4),
    "3+kk": (6, (60, 78), 5),
    "3+1": (10, (65, 86), 6),
    "4+kk": (2, (80, 100), 6),
    "4+1": (4, (85, 112), 7),
}

# Monthly rent in Plzeň by rooms (CZK); smaller towns are about a fifth cheaper.
RENT_RANGE: dict[int, tuple[int, int]] = {
    1: (6000, 9000),
    2: (8500, 12000),
    3: (11000, 16000),
    4: (14000, 19000),
}
PLZEN_CAPS: dict[int, int] = {1: 9500, 2: 12500, 3: 16000, 4: 19000}
TOWN_FACTOR = 0.8

REJECTIONS: tuple[tuple[VettingRejection, str], ...] = (
    (VettingRejection.rent_above_cap, "Nájemné převyšuje strop agentury pro tuto obec."),
    (VettingRejection.condition, "Vlhkost a plíseň v ložnici, okna netěsní."),
    (VettingRejection.rent_above_cap, "Pronajímatel netrvá na snížení nájemného pod strop."),
    (VettingRejection.safety, "Chybí revize plynového kotle, kotel odpojen."),
    (VettingRejection.landlord_conditions, "Pronajímatel požaduje kauci šest měsíčních nájmů."),
)


def add_rent_caps(ctx: DemoContext) -> int:
    orps = sorted({(p.orp_code, p.is_plzen) for p in ctx.places})
    caps = [
        RentCap(orp_code=orp, rooms=rooms, max_rent=rent_cap(is_plzen, rooms))
        for orp, is_plzen in orps
        for rooms in PLZEN_CAPS
    ]
    ctx.session.add_all(caps)
    return len(caps)


def rent_cap(is_plzen: bool, rooms: int) -> int:
    cap = PLZEN_CAPS[min(rooms, 4)]
    return cap if is_plzen else round_to(cap * TOWN_FACTOR, 100)


def add_flats(ctx: DemoContext) -> int:
    """About 60 flats; landlord 0 (who has a login) gets flats in several statuses."""
    statuses = [status for status, count in FLAT_PLAN for _ in range(count)]
    firsts = {FlatStatus.let, FlatStatus.offered, FlatStatus.available, FlatStatus.submitted}
    for status in statuses:
        owner = ctx.landlords[0] if status in firsts else _owner(ctx)
        firsts.discard(status)
        ctx.flats.append(_flat(ctx, status, owner))
    ctx.rng.shuffle(ctx.flats)
    ctx.session.add_all([f.row for f in ctx.flats])
    _registered_before_first_offer(ctx)
    ctx.session.flush()
    return len(ctx.flats)


def _registered_before_first_offer(ctx: DemoContext) -> None:
    """A landlord registers with their first flat: some joined long ago, some this year."""
    first: dict[int, datetime] = {}
    for flat in ctx.flats:
        owner, created = flat.row.landlord_id, flat.row.created_at
        assert created is not None
        first[owner] = min(first.get(owner, created), created)
    for lord in ctx.landlords:
        if ident(lord) in first:
            lord.created_at = first[ident(lord)] - timedelta(days=ctx.rng.randint(0, 5))
            if lord.terms_consented_at is not None:
                lord.terms_consented_at = lord.created_at


def _owner(ctx: DemoContext) -> Landlord:
    weights = [3 if lord.kind == LandlordKind.company else 1 for lord in ctx.landlords[1:]]
    return ctx.pick(ctx.landlords[1:], weights)


def _flat(ctx: DemoContext, status: FlatStatus, owner: Landlord) -> DemoFlat:
    place, street = _address(ctx, owner)
    created = ctx.days_ago(*CREATED_DAYS_AGO[status])
    layout = ctx.pick(list(LAYOUTS), [w for w, _, _ in LAYOUTS.values()])
    flat = Flat(
        landlord_id=ident(owner),
        status=status,
        street=street,
        postcode=place.postcode,
        municipality_code=place.code,
        building_key=building_key(street, place.code),
        layout=layout,
        rooms=parse_layout(layout),
        area_m2=float(ctx.rng.randint(*LAYOUTS[layout][1])),
        available_from=created + timedelta(days=ctx.rng.randint(0, 45)),
        min_lease_months=ctx.pick((12, 6, 24), (8, 1, 1)),
        pets_allowed=ctx.rng.random() < 0.35,
        furnished=ctx.rng.random() < 0.25,
        energy_class=ctx.pick("BCDEFG", (1, 4, 6, 4, 2, 1)),
        notes=ctx.rng.choice(FLAT_NOTES),
        created_at=at(created),
        status_changed_at=at(created),
        rent=0,
        services=0,
        deposit=0,
    )
    _set_money(ctx, flat, place)
    _set_floor(ctx, flat, place)
    return _with_vetting_dates(ctx, DemoFlat(flat, place), created)


def _address(ctx: DemoContext, owner: Landlord) -> tuple[Place, str]:
    """Companies own several flats in one building; persons mostly one."""
    same = [f for f in ctx.flats if f.row.landlord_id == owner.id]
    if same and owner.kind == LandlordKind.company and ctx.rng.random() < 0.6:
        return same[0].place, same[0].row.street
    place = ctx.place()
    streets = PLZEN_STREETS if place.is_plzen else STREETS
    return place, f"{ctx.rng.choice(streets)} {ctx.rng.randint(1, 120)}"


def _set_money(ctx: DemoContext, flat: Flat, place: Place) -> None:
    """Rent within the agency's cap, services by size, a deposit of one to three rents."""
    rooms = min(flat.rooms, 4)
    factor = 1.0 if place.is_plzen else TOWN_FACTOR
    rent = round_to(ctx.rng.randint(*RENT_RANGE[rooms]) * factor, 100)
    flat.rent = min(rent, rent_cap(place.is_plzen, rooms))
    flat.services = round_to(1200 + 600 * rooms + ctx.rng.randint(0, 800), 100)
    flat.deposit = flat.rent * ctx.pick((1, 2, 3), (2, 5, 2))


def _set_floor(ctx: DemoContext, flat: Flat, place: Place) -> None:
    flat.floor = ctx.rng.randint(0, 8 if place.is_plzen else 4)
    flat.lift = flat.floor >= 4 or (flat.floor >= 2 and ctx.rng.random() < 0.3)
    flat.step_free = (flat.floor == 0 or flat.lift) and ctx.rng.random() < 0.45


def _with_vetting_dates(ctx: DemoContext, flat: DemoFlat, created: date) -> DemoFlat:
    status, row = flat.row.status, flat.row
    approved = {FlatStatus.available, FlatStatus.offered, FlatStatus.let}
    if status in approved or (status == FlatStatus.withdrawn and ctx.rng.random() < 0.5):
        flat.available_on = min(created + timedelta(days=ctx.rng.randint(7, 21)), ctx.today)
        row.max_occupants = LAYOUTS[row.layout][2]
        row.status_changed_at = at(flat.available_on)
    if status == FlatStatus.withdrawn:
        start = flat.available_on or created
        flat.withdrawn_on = min(start + timedelta(days=ctx.rng.randint(20, 60)), ctx.today)
        row.status_changed_at = at(flat.withdrawn_on)
    if status == FlatStatus.vetting:
        row.status_changed_at = at(created + timedelta(days=2))
    return flat


def add_vettings(ctx: DemoContext) -> int:
    """An approved vetting for every flat that was ever available, a rejection for the rest."""
    vettings = [_approval(ctx, f) for f in ctx.flats if f.available_on is not None]
    rejected = [f for f in ctx.flats if f.row.status == FlatStatus.rejected]
    vettings += [_rejection(ctx, f, i) for i, f in enumerate(rejected)]
    ctx.session.add_all(vettings)
    return len(vettings)


def _vetting(ctx: DemoContext, flat: DemoFlat, decided: date) -> Vetting:
    return Vetting(
        flat_id=ident(flat.row),
        inspector_id=ident(ctx.rng.choice(ctx.staff())),
        inspection_date=decided - timedelta(days=ctx.rng.randint(0, 3)),
        ownership_checked=True,
        condition_ok=True,
        gas_safety_ok=True,
        electrical_safety_ok=True,
        rent_within_cap=True,
        energy_costs_realistic=True,
        decision=VettingDecision.approved,
        decided_at=at(decided, 14),
    )


def _approval(ctx: DemoContext, flat: DemoFlat) -> Vetting:
    assert flat.available_on is not None
    vetting = _vetting(ctx, flat, flat.available_on)
    vetting.max_occupants = flat.row.max_occupants
    vetting.reasons = "Byt odpovídá standardu agentury."
    return vetting


def _rejection(ctx: DemoContext, flat: DemoFlat, index: int) -> Vetting:
    created = flat.row.created_at.date()
    reason, text = REJECTIONS[index % len(REJECTIONS)]
    vetting = _vetting(ctx, flat, min(created + timedelta(days=10), ctx.today))
    vetting.decision, vetting.rejection_reason, vetting.reasons = (
        VettingDecision.rejected,
        reason,
        text,
    )
    vetting.condition_ok = reason != VettingRejection.condition
    vetting.gas_safety_ok = reason != VettingRejection.safety
    vetting.rent_within_cap = reason != VettingRejection.rent_above_cap
    flat.rejection = reason
    if reason == VettingRejection.rent_above_cap:
        cap = rent_cap(flat.place.is_plzen, flat.row.rooms)
        flat.row.rent = cap + round_to(ctx.rng.randint(1500, 3000), 100)
    flat.row.status_changed_at = vetting.decided_at
    return vetting
