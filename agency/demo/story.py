"""Who was placed where and when: leases, open offers and the households' statuses.

The story is planned on unsaved households (their dates and sizes still adjustable) and saved
flats, so that every status, date and amount agrees with the rest of the records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from agency.demo.context import (
    DemoContext,
    DemoFlat,
    DemoHousehold,
    at,
    next_month_start,
)
from agency.demo.households import set_situation
from agency.enums import (
    FlatStatus,
    HouseholdCloseReason,
    HouseholdStatus,
    LeaseEndReason,
    MatchStatus,
)
from agency.models import Lease, Match
from agency.rules import add_months, max_housing_cost, month_start

HS = HouseholdStatus

# Ended leases: the reason, and what became of the household.
ENDINGS: tuple[tuple[LeaseEndReason, HouseholdCloseReason | None], ...] = (
    (LeaseEndReason.moved_on, HouseholdCloseReason.housed_elsewhere),
    (LeaseEndReason.landlord_arrears, None),
    (LeaseEndReason.regular_end, HouseholdCloseReason.need_ended),
    (LeaseEndReason.landlord_conflict, None),
    (LeaseEndReason.by_tenant, HouseholdCloseReason.moved_away),
    (LeaseEndReason.landlord_damage, None),
)

CLOSINGS: tuple[tuple[HouseholdCloseReason, int], ...] = (
    (HouseholdCloseReason.housed_elsewhere, 4),
    (HouseholdCloseReason.lost_contact, 5),
    (HouseholdCloseReason.moved_away, 3),
    (HouseholdCloseReason.consent_withdrawn, 3),
    (HouseholdCloseReason.need_ended, 3),
    (HouseholdCloseReason.deceased, 1),
    (HouseholdCloseReason.other, 2),
)
REGISTERED_COUNT = 18
PROPOSED_COUNT = 4


@dataclass
class LeasePlan:
    start: date
    end_reason: LeaseEndReason | None = None
    ended_on: date | None = None


@dataclass
class MatchPlan:
    flat: DemoFlat
    household: DemoHousehold
    status: MatchStatus
    proposed_on: date
    lease: LeasePlan | None = None
    row: Match | None = None  # once saved
    lease_row: Lease | None = None


@dataclass
class Story:
    matches: list[MatchPlan] = field(default_factory=list)
    free: list[DemoHousehold] = field(default_factory=list)  # not yet given a status

    def take(self, ctx: DemoContext, flat: DemoFlat) -> DemoHousehold:
        """A household that fits `flat` (or is made to fit and afford it)."""
        fitting = [h for h in self.free if _fits(h, flat)] or self.free
        household = ctx.rng.choice(fitting)
        self.free.remove(household)
        _make_fit(household, flat)
        return household


def plan_story(ctx: DemoContext) -> Story:
    """Plan every placement and give each household its status and dates."""
    story = Story(free=list(ctx.households))
    _plan_let_flats(ctx, story)
    _plan_ended_on_available(ctx, story)
    _plan_offers(ctx, story)
    _plan_remaining_statuses(ctx, story)
    _plan_proposals(ctx, story)
    for household in ctx.households:
        set_situation(ctx, household)
    return story


def _fits(household: DemoHousehold, flat: DemoFlat) -> bool:
    row, f = household.row, flat.row
    return (
        household.size <= (f.max_occupants or 0)
        and row.min_rooms <= f.rooms
        and (f.pets_allowed or not row.has_pets)
        and (f.step_free or not row.needs_step_free)
        and (f.floor == 0 or f.lift or not row.needs_ground_floor)
        and f.rent + f.services <= row.max_housing_cost
    )


def _make_fit(household: DemoHousehold, flat: DemoFlat) -> None:
    """Trim the needs, the size and raise the housing allowance so that the pair is sound."""
    row, f = household.row, flat.row
    room = max(1, (f.max_occupants or 1) - len(household.adults))
    household.children = household.children[:room]
    household.adults = household.adults[: max(1, (f.max_occupants or 1) - len(household.children))]
    row.min_rooms = min(row.min_rooms, f.rooms)
    row.has_pets = row.has_pets and f.pets_allowed
    row.needs_step_free = row.needs_step_free and f.step_free
    row.needs_ground_floor = row.needs_ground_floor and (f.floor == 0 or f.lift)
    gap = f.rent + f.services - row.max_housing_cost
    if gap > 0:
        row.housing_allowance += (gap + 99) // 100 * 100
        row.max_housing_cost = max_housing_cost(
            row.monthly_income, row.housing_allowance, row.housing_supplement
        )


def _registered_before(ctx: DemoContext, household: DemoHousehold, day: date) -> None:
    """Register the household some weeks or months before `day`."""
    earliest = ctx.today - timedelta(days=730)
    registered = max(earliest, day - timedelta(days=ctx.rng.randint(20, 400)))
    _set_registered(household, min(registered, day - timedelta(days=14)))


def _set_registered(household: DemoHousehold, day: date) -> None:
    row = household.row
    row.registered_on = row.consent_on = day
    row.created_at = row.status_changed_at = at(day, 9)


def _set_status(household: DemoHousehold, status: HouseholdStatus, day: date) -> None:
    household.row.status = status
    household.row.status_changed_at = at(day, 12)


def _lease_start(ctx: DemoContext, after: date) -> date:
    """The first day of a month soon after `after`, never in the future."""
    start = next_month_start(after + timedelta(days=ctx.rng.randint(7, 30)))
    return start if start <= ctx.today else max(month_start(ctx.today), after + timedelta(1))


def _add_lease(
    ctx: DemoContext, story: Story, flat: DemoFlat, start: date, ending: int | None
) -> MatchPlan:
    household = story.take(ctx, flat)
    earliest = max(flat.available_on or start, start - timedelta(days=60))
    proposed = max(earliest, start - timedelta(days=ctx.rng.randint(25, 40)))
    _registered_before(ctx, household, proposed)
    plan = MatchPlan(flat, household, MatchStatus.leased, proposed, LeasePlan(start))
    flat.busy_from = min(flat.busy_from or proposed, proposed)
    household.busy_from = proposed
    if ending is None:
        _set_status(household, HS.housed, start)
    story.matches.append(plan)
    return plan


def _end_lease(ctx: DemoContext, plan: MatchPlan, ending: int, latest_end: date) -> date:
    """End the lease some months after its start, before `latest_end`; returns the end."""
    assert plan.lease is not None
    months = max(5, (latest_end - plan.lease.start).days // 30)
    ended = add_months(plan.lease.start, ctx.rng.randint(5, months)) - timedelta(days=1)
    ended = min(ended, latest_end)
    reason, close_reason = ENDINGS[ending]
    plan.lease.end_reason, plan.lease.ended_on = reason, ended
    household = plan.household
    if close_reason is None:
        _set_status(household, HS.waiting, ended)
    else:
        _close(household, close_reason, min(ctx.today, ended + timedelta(ctx.rng.randint(0, 20))))
    return ended


def _close(household: DemoHousehold, reason: HouseholdCloseReason, day: date) -> None:
    _set_status(household, HS.closed, day)
    household.row.close_reason = reason
    household.row.closed_at = at(day, 12)
    household.busy_from = min(household.busy_from or day, day)
    if reason == HouseholdCloseReason.consent_withdrawn:
        household.row.consent_withdrawn_on = day


def _plan_let_flats(ctx: DemoContext, story: Story) -> None:
    """An active lease on every let flat; the longest-listed three had a tenant before."""
    let = sorted(
        (f for f in ctx.flats if f.row.status == FlatStatus.let),
        key=lambda f: f.available_on or ctx.today,
    )
    for index, flat in enumerate(let):
        assert flat.available_on is not None
        after = flat.available_on
        if index < 3 and (ctx.today - after).days > 330:
            first = _add_lease(ctx, story, flat, _lease_start(ctx, after), index)
            after = _end_lease(ctx, first, index, ctx.today - timedelta(days=100))
        start = _lease_start(ctx, after)
        _add_lease(ctx, story, flat, start, None)
        flat.row.status_changed_at = at(start)


def _plan_ended_on_available(ctx: DemoContext, story: Story) -> None:
    """Three available flats whose tenants left; the flats are offered again."""
    old = sorted(
        (f for f in ctx.flats if f.row.status == FlatStatus.available),
        key=lambda f: f.available_on or ctx.today,
    )[:3]
    for index, flat in enumerate(old, start=3):
        assert flat.available_on is not None
        if (ctx.today - flat.available_on).days < 250:
            continue
        plan = _add_lease(ctx, story, flat, _lease_start(ctx, flat.available_on), index)
        ended = _end_lease(ctx, plan, index, ctx.today - timedelta(days=20))
        flat.row.status_changed_at = at(ended + timedelta(days=1))


def _plan_offers(ctx: DemoContext, story: Story) -> None:
    """Offered flats hold an approved or an accepted match with an offered household."""
    offered = [f for f in ctx.flats if f.row.status == FlatStatus.offered]
    for index, flat in enumerate(offered):
        assert flat.available_on is not None
        status = MatchStatus.approved if index % 2 else MatchStatus.accepted
        days = (3, 9) if status == MatchStatus.approved else (10, 20)
        proposed = max(flat.available_on + timedelta(days=1), ctx.days_ago(*days))
        household = story.take(ctx, flat)
        _registered_before(ctx, household, proposed)
        _set_status(household, HS.offered, min(ctx.today, proposed + timedelta(days=2)))
        flat.row.status_changed_at = household.row.status_changed_at
        household.busy_from = flat.busy_from = proposed
        story.matches.append(MatchPlan(flat, household, status, proposed))


def _plan_remaining_statuses(ctx: DemoContext, story: Story) -> None:
    """The households left: newly registered, closed, and waiting."""
    ctx.rng.shuffle(story.free)
    for household in story.free[:REGISTERED_COUNT]:
        _set_registered(household, ctx.days_ago(1, 45))
    rest = story.free[REGISTERED_COUNT:]
    closings = [reason for reason, count in CLOSINGS for _ in range(count)]
    for household, reason in zip(rest, closings, strict=False):
        registered = household.row.registered_on
        if (ctx.today - registered).days < 60:
            _set_registered(household, ctx.days_ago(60, 730))
            registered = household.row.registered_on
        span = min(400, (ctx.today - registered).days - 1)
        _close(household, reason, registered + timedelta(days=ctx.rng.randint(30, span)))
    for household in rest[len(closings) :]:
        waiting_from = household.row.registered_on + timedelta(days=ctx.rng.randint(3, 14))
        _set_status(household, HS.waiting, min(ctx.today, waiting_from))
    story.free = []


def _plan_proposals(ctx: DemoContext, story: Story) -> None:
    """Fresh proposals: waiting households and available flats not yet in an open match."""
    waiting = [h for h in ctx.households if h.row.status == HS.waiting and h.busy_from is None]
    flats = [f for f in ctx.flats if f.row.status == FlatStatus.available]
    ctx.rng.shuffle(flats)
    for flat in flats[:PROPOSED_COUNT]:
        assert flat.available_on is not None
        fitting = [h for h in waiting if _fits(h, flat)] or waiting
        household = ctx.rng.choice(fitting)
        waiting.remove(household)
        proposed = max(flat.available_on, household.row.registered_on, ctx.days_ago(0, 4))
        household.busy_from = flat.busy_from = proposed
        story.matches.append(MatchPlan(flat, household, MatchStatus.proposed, proposed))
