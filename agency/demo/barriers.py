"""Barriers met on the way into housing and in keeping it, and what overcame them."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from agency.demo.context import DemoContext, DemoFlat, DemoHousehold, at, ident
from agency.demo.leases import END_NOTES, leased
from agency.demo.story import MatchPlan, Story
from agency.enums import (
    BarrierSource,
    BarrierStage,
    HouseholdStatus,
    LeaseEndReason,
    Party,
    VettingRejection,
)
from agency.models import Barrier, BarrierCategory, Intervention, Match

# The intervention that usually overcomes a barrier of each category.
REMEDIES: dict[str, str] = {
    "landlord_discrimination": "mediation",
    "rent_unaffordable": "benefit_application",
    "deposit_unaffordable": "deposit_fund",
    "debts_enforcement": "debt_counselling",
    "missing_documents": "documents_arranged",
    "household_too_large": "rent_guarantee",
    "no_flat_in_area": "moving_help",
    "accessibility_health": "moving_help",
    "rental_history": "rent_guarantee",
    "landlord_conditions": "rent_guarantee",
    "benefit_system": "benefit_application",
    "neighbours_conflict": "mediation",
    "rent_arrears": "budgeting_support",
    "flat_defects": "mediation",
}

VETTING_CATEGORIES: dict[VettingRejection, str] = {
    VettingRejection.rent_above_cap: "rent_unaffordable",
    VettingRejection.condition: "flat_defects",
    VettingRejection.safety: "flat_defects",
    VettingRejection.landlord_conditions: "landlord_conditions",
}

LEASE_END_CATEGORIES: dict[LeaseEndReason, str] = {
    LeaseEndReason.landlord_arrears: "rent_arrears",
    LeaseEndReason.landlord_conflict: "neighbours_conflict",
    LeaseEndReason.landlord_damage: "landlord_conditions",
    LeaseEndReason.by_tenant: "flat_defects",
}

ACCESS_NOTES: dict[str, str] = {
    "debts_enforcement": "Exekuce na mzdu, srážky snižují disponibilní příjem.",
    "missing_documents": "Chybí občanský průkaz a rodné listy dětí.",
    "benefit_system": "Úřad práce neuznal doplatek na bydlení na ubytovně.",
    "landlord_discrimination": "Pronajímatelé z inzerátů po telefonu odmítají prohlídku.",
    "rental_history": "Dřívější vystěhování pro dluh na nájemném.",
    "deposit_unaffordable": "Domácnost nemá na kauci ve výši dvou nájmů.",
    "rent_unaffordable": "Tržní nájemné v obci převyšuje možnosti domácnosti.",
}
ENGINE_NOTES: dict[str, str] = {
    "household_too_large": "Žádný dostupný byt pro tolik osob.",
    "no_flat_in_area": "V přijatelné oblasti není žádný volný byt.",
    "rent_unaffordable": "Nejbližší vhodný byt je o 2 000 Kč měsíčně dražší.",
    "deposit_unaffordable": "Kauce vhodných bytů převyšuje možnosti domácnosti.",
    "accessibility_health": "Žádný volný bezbariérový byt.",
}
SUSTAIN_NOTES: dict[str, str] = {
    "rent_arrears": "Nezaplacený nájem za dva měsíce po výpadku příjmu.",
    "neighbours_conflict": "Stížnosti sousedů na hluk.",
    "benefit_system": "Výplata příspěvku na bydlení zastavena kvůli chybějícímu dokladu.",
    "debts_enforcement": "Nová exekuce na příjem.",
    "flat_defects": "Nefunkční kotel, pronajímatel opravu odkládá.",
}


def add_barriers(ctx: DemoContext, story: Story, declined: list[Match]) -> int:
    """Barriers from every source, on households, flats and landlords, over two years."""
    categories, remedies = _ids(ctx)
    drafts = [
        *_from_declines(ctx, story, declined),
        *_from_vettings(ctx),
        *_from_lease_ends(story),
        *_from_engine(ctx),
        *_from_social_workers(ctx),
        *_on_tenancies(ctx, story),
    ]
    rows = [_barrier(ctx, draft, categories, remedies) for draft in drafts]
    ctx.session.add_all(rows)
    return len(rows)


def _ids(ctx: DemoContext) -> tuple[dict[str, int], dict[str, int]]:
    """Barrier categories and interventions (seeded by the migrations) by code."""
    categories = ctx.session.exec(select(BarrierCategory)).all()
    interventions = ctx.session.exec(select(Intervention)).all()
    return {c.code: ident(c) for c in categories}, {i.code: ident(i) for i in interventions}


Draft = tuple[str, BarrierStage, BarrierSource, dict[str, int | None], date, str | None, float]


def _on_household(household: DemoHousehold) -> dict[str, int | None]:
    return {"household_id": household.row.id, "orp_code": household.place.orp_code}


def _on_flat(flat: DemoFlat, landlord: bool = True) -> dict[str, int | None]:
    landlord_id = flat.row.landlord_id if landlord else None
    return {"flat_id": flat.row.id, "landlord_id": landlord_id, "orp_code": flat.place.orp_code}


def _from_declines(ctx: DemoContext, story: Story, declined: list[Match]) -> list[Draft]:
    plans = {id(p.row): p for p in story.matches}
    drafts: list[Draft] = []
    for match in declined:
        plan = plans[id(match)]
        by_landlord = match.declined_by == Party.landlord
        code = (match.landlord_reason if by_landlord else match.household_reason) or ""
        source = BarrierSource.landlord_decline if by_landlord else BarrierSource.household_decline
        where = {**_on_flat(plan.flat, by_landlord), "household_id": plan.household.row.id}
        answered = match.status_changed_at.date() if match.status_changed_at else ctx.today
        drafts.append((code, BarrierStage.access, source, where, answered, match.decline_note, 0.4))
    return drafts


def _from_vettings(ctx: DemoContext) -> list[Draft]:
    drafts: list[Draft] = []
    for flat in ctx.flats:
        code = VETTING_CATEGORIES.get(flat.rejection) if flat.rejection else None
        if code is None or flat.row.status_changed_at is None:
            continue
        day, note = flat.row.status_changed_at.date(), "Zjištěno při prohlídce bytu."
        drafts.append(
            (code, BarrierStage.access, BarrierSource.vetting, _on_flat(flat), day, note, 0.0)
        )
    return drafts


def _from_lease_ends(story: Story) -> list[Draft]:
    drafts: list[Draft] = []
    for plan in leased(story):
        lease = plan.lease
        if lease is None or lease.end_reason is None or lease.ended_on is None:
            continue
        code = LEASE_END_CATEGORIES.get(lease.end_reason)
        if code is None:
            continue
        where = {**_on_flat(plan.flat), **_on_household(plan.household)}
        where["orp_code"] = plan.flat.place.orp_code
        stage, source = BarrierStage.sustain, BarrierSource.lease_end
        note = END_NOTES.get(lease.end_reason)
        drafts.append((code, stage, source, where, lease.ended_on, note, 0.0))
    return drafts


def _waiting_since(ctx: DemoContext, household: DemoHousehold) -> tuple[date, date]:
    start = household.row.registered_on
    end = household.busy_from or ctx.today
    return start, max(start, end)


def _between(ctx: DemoContext, start: date, end: date) -> date:
    return start + timedelta(days=ctx.rng.randint(0, max(0, (end - start).days)))


def _from_engine(ctx: DemoContext, count: int = 20) -> list[Draft]:
    waiting = [h for h in ctx.households if h.row.status == HouseholdStatus.waiting]
    drafts: list[Draft] = []
    for household in ctx.rng.sample(waiting, min(count, len(waiting))):
        code = ctx.rng.choice(list(ENGINE_NOTES))
        if household.size >= 5 and ctx.rng.random() < 0.6:
            code = "household_too_large"
        day = _between(ctx, *_waiting_since(ctx, household))
        stage, source = BarrierStage.access, BarrierSource.engine
        drafts.append(
            (code, stage, source, _on_household(household), day, ENGINE_NOTES[code], 0.25)
        )
    return drafts


def _from_social_workers(ctx: DemoContext, count: int = 60) -> list[Draft]:
    drafts: list[Draft] = []
    for _ in range(count):
        household = ctx.rng.choice(ctx.households)
        code = ctx.rng.choice(list(ACCESS_NOTES))
        day = _between(ctx, *_waiting_since(ctx, household))
        where = _on_household(household)
        if code == "landlord_discrimination" and ctx.rng.random() < 0.5:
            flat = ctx.rng.choice(ctx.flats)
            where = {**where, "landlord_id": flat.row.landlord_id}
        stage, source = BarrierStage.access, BarrierSource.social_worker
        drafts.append((code, stage, source, where, day, ACCESS_NOTES[code], 0.55))
    return drafts


def _on_tenancies(ctx: DemoContext, story: Story, count: int = 30) -> list[Draft]:
    plans = leased(story)
    drafts: list[Draft] = []
    for _ in range(count):
        plan: MatchPlan = ctx.rng.choice(plans)
        assert plan.lease is not None
        day = _between(ctx, plan.lease.start, plan.lease.ended_on or ctx.today)
        code = ctx.rng.choice(list(SUSTAIN_NOTES))
        where = {**_on_household(plan.household), "orp_code": plan.flat.place.orp_code}
        if code == "flat_defects":
            where.update(_on_flat(plan.flat))
        stage, source = BarrierStage.sustain, BarrierSource.social_worker
        drafts.append((code, stage, source, where, day, SUSTAIN_NOTES[code], 0.6))
    return drafts


def _barrier(
    ctx: DemoContext, draft: Draft, categories: dict[str, int], remedies: dict[str, int]
) -> Barrier:
    code, stage, source, where, observed, note, overcome_share = draft
    barrier = Barrier(
        category_id=categories[code],
        stage=stage,
        source=source,
        observed_on=observed,
        note=note,
        recorded_by_id=_recorder(ctx, source, where.get("household_id")),
        created_at=at(observed, 15),
    )
    for key, value in where.items():
        setattr(barrier, key, value)
    if observed < ctx.today and ctx.rng.random() < overcome_share:
        barrier.intervention_id = remedies[REMEDIES[code]]
        later = observed + timedelta(days=ctx.rng.randint(7, 120))
        barrier.overcome_on = min(later, ctx.today)
    return barrier


def _recorder(ctx: DemoContext, source: BarrierSource, household_id: int | None) -> int | None:
    if source == BarrierSource.engine:
        return None
    if source in (BarrierSource.vetting, BarrierSource.lease_end) or household_id is None:
        return ctx.staff()[0].id
    return next(h.row.social_worker_id for h in ctx.households if h.row.id == household_id)
