"""Match rows: the story's placements and offers, and closed proposals from the past."""

from __future__ import annotations

from datetime import date, timedelta

from agency.demo.context import DemoContext, DemoFlat, DemoHousehold, at, ident
from agency.demo.story import MatchPlan, Story
from agency.demo.texts import REVIEW_REJECTIONS, WITHDRAW_NOTES
from agency.enums import AuditAction, HouseholdStatus, MatchStatus, OfferAnswer, Party
from agency.models import AuditEntry, Match

OFFER_DAYS = 14

HISTORY: tuple[tuple[MatchStatus, int], ...] = (
    (MatchStatus.declined, 8),
    (MatchStatus.rejected, 4),
    (MatchStatus.expired, 3),
    (MatchStatus.withdrawn, 3),
)

# Decline reasons (codes of the barrier categories they are recorded as) and notes.
LANDLORD_DECLINES: tuple[tuple[str, str], ...] = (
    ("household_too_large", "Pronajímatel nechce v bytě tolik dětí."),
    ("rental_history", "Pronajímatel odmítl kvůli dřívějšímu dluhu na nájemném."),
    ("landlord_discrimination", "Po osobní schůzce pronajímatel odmítl bez udání důvodu."),
    ("debts_enforcement", "Pronajímatel odmítl kvůli exekuci na příjem domácnosti."),
)
HOUSEHOLD_DECLINES: tuple[tuple[str, str], ...] = (
    ("no_flat_in_area", "Byt je příliš daleko od školy dětí."),
    ("rent_unaffordable", "Domácnost se obává vysokých záloh na energie."),
    ("flat_defects", "Byt je ve špatném stavu, vlhké zdi."),
    ("accessibility_health", "Byt ve 4. patře bez výtahu, člen domácnosti špatně chodí."),
)


def add_matches(ctx: DemoContext, story: Story) -> list[Match]:
    """Save the story's matches and the closed ones; returns the declined matches."""
    story.matches += _history(ctx, story)
    rows = [_match(ctx, plan, i) for i, plan in enumerate(story.matches)]
    ctx.session.add_all(rows)
    ctx.session.flush()
    for plan, row in zip(story.matches, rows, strict=True):
        plan.row = row
    ctx.session.add_all([_audit(row) for row in rows if row.reviewed_by_id is not None])
    return [row for row in rows if row.status == MatchStatus.declined]


def _window(start: date, busy: date | None, today: date) -> tuple[date, date]:
    return start, (busy or today) - timedelta(days=21)


def _history(ctx: DemoContext, story: Story) -> list[MatchPlan]:
    """Closed proposals on distinct flats and households, each before their later events."""
    statuses = [status for status, count in HISTORY for _ in range(count)]
    flats = [f for f in ctx.flats if f.available_on is not None]
    households = [h for h in ctx.households if h.row.status != HouseholdStatus.registered]
    ctx.rng.shuffle(flats)
    plans: list[MatchPlan] = []
    for status in statuses:
        found = _pair(ctx, flats, households)
        if found is not None:
            flat, household, day = found
            flats.remove(flat)
            households.remove(household)
            plans.append(MatchPlan(flat, household, status, day))
    return plans


def _pair(
    ctx: DemoContext, flats: list[DemoFlat], households: list[DemoHousehold]
) -> tuple[DemoFlat, DemoHousehold, date] | None:
    for flat in flats:
        assert flat.available_on is not None
        f_lo, f_hi = _window(flat.available_on, flat.busy_from or flat.withdrawn_on, ctx.today)
        for household in ctx.rng.sample(households, len(households)):
            h_start = household.row.registered_on + timedelta(days=10)
            h_lo, h_hi = _window(h_start, household.busy_from, ctx.today)
            lo, hi = max(f_lo, h_lo), min(f_hi, h_hi)
            if lo < hi:
                return flat, household, lo + timedelta(days=ctx.rng.randint(0, (hi - lo).days))
    return None


def _match(ctx: DemoContext, plan: MatchPlan, index: int) -> Match:
    household = plan.household.row
    row = Match(
        household_id=ident(household),
        flat_id=ident(plan.flat.row),
        proposed_by_id=household.social_worker_id,
        status=plan.status,
        score=ctx.rng.randint(600, 980) * 1000,
        score_terms={"urgency": household.urgency, "waited_days": _waited(plan)},
        note="Návrh podle výsledku párování.",
        created_at=at(plan.proposed_on, 9),
        status_changed_at=at(plan.proposed_on, 9),
    )
    if plan.status != MatchStatus.proposed:
        _review(ctx, plan, row, index)
    return row


def _waited(plan: MatchPlan) -> int:
    return (plan.proposed_on - plan.household.row.registered_on).days


def _review(ctx: DemoContext, plan: MatchPlan, row: Match, index: int) -> None:
    reviewed = min(ctx.today, plan.proposed_on + timedelta(days=ctx.rng.randint(1, 2)))
    row.reviewed_by_id = ctx.staff()[index % 2].id
    row.reviewed_at = row.status_changed_at = at(reviewed, 11)
    if plan.status == MatchStatus.rejected:
        row.review_reason = REVIEW_REJECTIONS[index % len(REVIEW_REJECTIONS)]
        return
    row.offer_expires_at = at(reviewed + timedelta(days=OFFER_DAYS), 11)
    answered = min(ctx.today, reviewed + timedelta(days=ctx.rng.randint(1, 5)))
    handlers = {
        MatchStatus.approved: _approved,
        MatchStatus.accepted: _accepted,
        MatchStatus.leased: _leased,
        MatchStatus.declined: _declined,
        MatchStatus.expired: _expired,
        MatchStatus.withdrawn: _withdrawn,
    }
    handlers[plan.status](plan, row, answered, index)


def _answer(row: Match, party: Party, answer: OfferAnswer, day: date) -> None:
    if party == Party.landlord:
        row.landlord_answer, row.landlord_answered_at = answer, at(day, 15)
    else:
        row.household_answer, row.household_answered_at = answer, at(day, 16)
    row.status_changed_at = at(day, 16)


def _approved(plan: MatchPlan, row: Match, day: date, index: int) -> None:
    if index % 3 == 0:
        _answer(row, Party.landlord, OfferAnswer.accept, day)
        row.status_changed_at = row.reviewed_at


def _accepted(plan: MatchPlan, row: Match, day: date, index: int) -> None:
    _answer(row, Party.landlord, OfferAnswer.accept, day)
    _answer(row, Party.household, OfferAnswer.accept, day)


def _leased(plan: MatchPlan, row: Match, day: date, index: int) -> None:
    _accepted(plan, row, day, index)
    assert plan.lease is not None
    row.status_changed_at = at(max(day, plan.lease.start - timedelta(days=2)), 10)


def _declined(plan: MatchPlan, row: Match, day: date, index: int) -> None:
    if index % 2:
        reason, note = LANDLORD_DECLINES[index // 2 % len(LANDLORD_DECLINES)]
        _answer(row, Party.landlord, OfferAnswer.decline, day)
        row.declined_by, row.landlord_reason, row.decline_note = Party.landlord, reason, note
    else:
        reason, note = HOUSEHOLD_DECLINES[index // 2 % len(HOUSEHOLD_DECLINES)]
        _answer(row, Party.household, OfferAnswer.decline, day)
        row.declined_by, row.household_reason, row.decline_note = Party.household, reason, note


def _expired(plan: MatchPlan, row: Match, day: date, index: int) -> None:
    _answer(row, Party.landlord, OfferAnswer.accept, day)
    row.status_changed_at = row.offer_expires_at


def _withdrawn(plan: MatchPlan, row: Match, day: date, index: int) -> None:
    row.note = WITHDRAW_NOTES[index % len(WITHDRAW_NOTES)]
    row.status_changed_at = at(day, 13)


def _audit(row: Match) -> AuditEntry:
    approved = row.status != MatchStatus.rejected
    assert row.reviewed_at is not None
    return AuditEntry(
        at=row.reviewed_at,
        actor_id=row.reviewed_by_id,
        action=AuditAction.signoff,
        entity="match",
        entity_id=ident(row),
        from_status=MatchStatus.proposed,
        to_status=MatchStatus.approved if approved else MatchStatus.rejected,
        reason=row.review_reason,
    )
