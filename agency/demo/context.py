"""What the demo's sections share: the session, the clock, the random source, the records."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Protocol, TypeVar

from sqlmodel import Session

from agency.enums import VettingRejection
from agency.models import Flat, Household, Landlord, Organisation, User
from agency.rules import add_months, fold_diacritics, month_start

T = TypeVar("T")


@dataclass(frozen=True)
class Place:
    """A real municipality of the gazetteer with its post code."""

    code: int
    name: str
    orp_code: int
    postcode: str
    population: int
    is_plzen: bool = False


@dataclass
class DemoFlat:
    row: Flat
    place: Place
    available_on: date | None = None  # approved at vetting
    withdrawn_on: date | None = None
    busy_from: date | None = None  # first date taken by an open match or a lease
    rejection: VettingRejection | None = None


@dataclass
class DemoHousehold:
    row: Household
    place: Place
    adults: list[int]  # birth years, the reference person first
    children: list[int]
    busy_from: date | None = None

    @property
    def size(self) -> int:
        return len(self.adults) + len(self.children)


@dataclass
class DemoContext:
    session: Session
    today: date
    rng: random.Random
    places: list[Place] = field(default_factory=list)
    orgs: dict[str, Organisation] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    landlords: list[Landlord] = field(default_factory=list)
    flats: list[DemoFlat] = field(default_factory=list)
    households: list[DemoHousehold] = field(default_factory=list)

    def days_ago(self, low: int, high: int) -> date:
        return self.today - timedelta(days=self.rng.randint(low, high))

    def place(self) -> Place:
        """A municipality, weighted by population (so mostly Plzeň)."""
        weights = [p.population for p in self.places]
        return self.rng.choices(self.places, weights=weights)[0]

    def pick(self, items: Sequence[T], weights: Sequence[float] | None = None) -> T:
        return self.rng.choices(items, weights=weights)[0]

    def staff(self) -> list[User]:
        return [self.users["staff"], self.users["staff2"]]


class _Record(Protocol):
    id: int | None


def ident(record: _Record) -> int:
    """The id of a saved record (flushed, so the database gave it one)."""
    if record.id is None:
        raise RuntimeError(f"{type(record).__name__} has no id: flush first")
    return record.id


def at(day: date, hour: int = 10) -> datetime:
    """A timezone-aware UTC moment on `day`."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def next_month_start(day: date) -> date:
    return add_months(month_start(day), 1)


def round_to(value: float, step: int) -> int:
    return int(round(value / step) * step)


def email_local(first: str, last: str) -> str:
    return f"{fold_diacritics(first)}.{fold_diacritics(last)}".replace(" ", "-")


def phone(rng: random.Random) -> str:
    prefix = rng.choice((602, 603, 604, 605, 606, 608, 702, 721, 724, 731, 736, 739, 775, 777))
    return f"+420 {prefix} {rng.randint(100, 999)} {rng.randint(100, 999)}"
