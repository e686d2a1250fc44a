"""Load the demo data set in one transaction of the caller's."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from argon2 import PasswordHasher
from sqlmodel import Session

from agency.demo import barriers, flats, households, leases, matches, people, support
from agency.demo.context import DemoContext
from agency.demo.people import ADMIN_EMAIL, DemoCredential
from agency.demo.story import Story, plan_story
from agency.services.users import find_user

SEED = 20_250_601

Progress = Callable[[str, int], None]


@dataclass(frozen=True)
class DemoResult:
    """Whether the demo was loaded now, its logins, and how many records each section made."""

    loaded: bool
    credentials: list[DemoCredential]
    counts: dict[str, int] = field(default_factory=dict)


def load_demo(
    session: Session,
    *,
    today: date,
    hasher: PasswordHasher,
    progress: Progress | None = None,
) -> DemoResult:
    """Add the demo agency in Plzeňský kraj: people, flats, households, placements, barriers.

    All dates are relative to `today`, and the same `today` gives the same records. When the
    demo admin exists already, nothing changes and `loaded` is False. The caller commits.
    """
    if find_user(session, email=ADMIN_EMAIL) is not None:
        return DemoResult(loaded=False, credentials=people.credentials())
    ctx = DemoContext(session=session, today=today, rng=random.Random(SEED))
    counts: dict[str, int] = {}

    def step(label: str, count: int) -> None:
        counts[label] = count
        if progress is not None:
            progress(label, count)

    _load(ctx, hasher, step)
    session.flush()
    return DemoResult(loaded=True, credentials=people.credentials(), counts=counts)


def _load(ctx: DemoContext, hasher: PasswordHasher, step: Progress) -> None:
    step("municipalities", people.load_places(ctx))
    step("organisations", people.add_organisations(ctx))
    step("landlords", people.add_landlords(ctx))
    step("users", people.add_users(ctx, hasher))
    step("rent caps", flats.add_rent_caps(ctx))
    step("flats", flats.add_flats(ctx))
    step("vettings", flats.add_vettings(ctx))
    story = _households(ctx, step)
    declined = matches.add_matches(ctx, story)
    step("matches", len(story.matches))
    step("leases", leases.add_leases(ctx, story))
    step("rent ledger", leases.add_ledger(ctx, story))
    step("support visits", support.add_support(ctx, story))
    step("barriers", barriers.add_barriers(ctx, story, declined))


def _households(ctx: DemoContext, step: Progress) -> Story:
    households.build_households(ctx)
    story = plan_story(ctx)
    step("households", households.save_households(ctx))
    step("members and areas", households.add_members_and_areas(ctx))
    return story
