"""Support plans after the move, and the social workers' visits on their schedule."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlmodel import col, select

from agency.demo.context import DemoContext, at, ident
from agency.demo.leases import leased
from agency.demo.story import MatchPlan, Story
from agency.demo.texts import FOLLOW_UPS, VISIT_NOTES
from agency.enums import VISIT_TOPICS, LeaseEndReason, RiskLevel, VisitKind
from agency.models import SupportPlan, SupportPlanTemplate, SupportVisit
from agency.rules import add_months

PLANNED_AHEAD_DAYS = 45
OVERDUE_LEASES = 4


def default_template(ctx: DemoContext) -> SupportPlanTemplate:
    query = select(SupportPlanTemplate).where(SupportPlanTemplate.is_default == True)  # noqa: E712
    template = ctx.session.exec(query.order_by(col(SupportPlanTemplate.id))).first()
    if template is None:
        raise RuntimeError("no default support plan template: run the migrations")
    return template


def schedule(start: date, steps: list[dict[str, Any]], until: date) -> list[date]:
    """Visit dates from `start`: every `every_days` until `until_month` months, step by step."""
    dates: list[date] = []
    day = start
    for step in steps:
        limit = add_months(start, int(step["until_month"]))
        every = timedelta(days=int(step["every_days"]))
        while day + every <= limit:
            day += every
            if day > until:
                return dates
            dates.append(day)
    return dates


def add_support(ctx: DemoContext, story: Story) -> int:
    """A plan per lease from the default template, visits done, overdue and planned."""
    template = default_template(ctx)
    plans = leased(story)
    rows = [SupportPlan(lease_id=_lease_id(p), template_id=ident(template)) for p in plans]
    ctx.session.add_all(rows)
    ctx.session.flush()
    recent = sorted(_active(plans), key=lambda p: p.proposed_on, reverse=True)
    overdue = {id(p) for p in recent[:OVERDUE_LEASES]}
    visits = [
        visit
        for plan, row in zip(plans, rows, strict=True)
        for visit in _visits(ctx, plan, row, template.steps or [], id(plan) in overdue)
    ]
    ctx.session.add_all(visits)
    return len(rows) + len(visits)


def _lease_id(plan: MatchPlan) -> int:
    assert plan.lease_row is not None
    return ident(plan.lease_row)


def _active(plans: list[MatchPlan]) -> list[MatchPlan]:
    return [p for p in plans if p.lease is not None and p.lease.ended_on is None]


def _visits(
    ctx: DemoContext, plan: MatchPlan, row: SupportPlan, steps: list[dict[str, Any]], late: bool
) -> list[SupportVisit]:
    assert plan.lease is not None
    until = plan.lease.ended_on or ctx.today + timedelta(days=PLANNED_AHEAD_DAYS)
    visits = []
    for day in schedule(plan.lease.start, steps, until):
        visit = SupportVisit(
            plan_id=ident(row),
            household_id=ident(plan.household.row),
            social_worker_id=plan.household.row.social_worker_id,
            planned_on=day,
            created_at=at(plan.lease.start),
        )
        overdue = late and ctx.today - timedelta(days=30) < day < ctx.today
        if day < ctx.today and not overdue:
            _record(ctx, plan, visit)
        visits.append(visit)
    return visits


def _record(ctx: DemoContext, plan: MatchPlan, visit: SupportVisit) -> None:
    """A visit done: when, how, about what and how it looked."""
    done = visit.planned_on + timedelta(days=ctx.rng.randint(-1, 3))
    visit.done_on = max(plan.lease.start if plan.lease else done, min(done, ctx.today))
    visit.kind = ctx.pick(list(VisitKind), (13, 5, 2))
    topics = list(VISIT_TOPICS if plan.household.children else VISIT_TOPICS[:4] + VISIT_TOPICS[5:])
    visit.topics = sorted(ctx.rng.sample(topics, ctx.rng.randint(1, 3)), key=VISIT_TOPICS.index)
    visit.risk = _risk(ctx, plan, visit.planned_on)
    visit.notes = ctx.rng.choice(VISIT_NOTES)
    if visit.risk != RiskLevel.green:
        visit.follow_up = ctx.rng.choice(FOLLOW_UPS)
        visit.topics = sorted({*visit.topics, "rent"}, key=VISIT_TOPICS.index)


def _risk(ctx: DemoContext, plan: MatchPlan, day: date) -> RiskLevel:
    """Green mostly; amber or red in the months before a lease ended badly."""
    assert plan.lease is not None
    ended_badly = plan.lease.end_reason not in (
        None,
        LeaseEndReason.regular_end,
        LeaseEndReason.moved_on,
    )
    if ended_badly and plan.lease.ended_on and (plan.lease.ended_on - day).days < 90:
        return RiskLevel.red if (plan.lease.ended_on - day).days < 40 else RiskLevel.amber
    return ctx.pick(list(RiskLevel), (85, 12, 3))
