"""Typed matching instance: households, flats, policy and solve options."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

#: Names of the hard constraints, in the order used for bit masks and explanations.
CONSTRAINTS: tuple[str, ...] = (
    "size",
    "budget",
    "deposit",
    "location",
    "accessibility",
    "pets",
    "availability",
    "excluded",
)

#: Names of the fit terms (lower is better), in reporting order.
FIT_TERMS: tuple[str, ...] = ("cost_burden", "occupancy", "distance", "move_in_gap")

URGENCY_LEVELS: tuple[int, ...] = (5, 4, 3, 2, 1)


@dataclass(frozen=True, slots=True)
class Anchor:
    """A point the household wants to live near (school, work, family) and a radius."""

    lat: float
    lon: float
    max_km: float


@dataclass(frozen=True, slots=True)
class Household:
    """A household waiting for a flat. Money is in whole CZK per month."""

    id: str
    adults: int
    children: int
    urgency: int
    registered_on: date
    max_housing_cost: int
    income: int
    deposit_available: int
    municipality_codes: tuple[str, ...] = ()
    orp_codes: tuple[str, ...] = ()
    anchor: Anchor | None = None
    needs_step_free: bool = False
    needs_ground_floor: bool = False
    has_pets: bool = False
    min_rooms: int = 1
    move_in_by: date | None = None
    social_worker: str | None = None
    tags: tuple[str, ...] = ()

    @property
    def persons(self) -> int:
        """Number of people who will live in the flat."""
        return self.adults + self.children

    @property
    def has_children(self) -> bool:
        """True when at least one child lives in the household."""
        return self.children > 0

    def in_group(self, group: str) -> bool:
        """Membership in a reserved-share group ("children" is built in, others are tags)."""
        return self.has_children if group == "children" else group in self.tags


@dataclass(frozen=True, slots=True)
class Flat:
    """A vetted flat offered through the agency. Money is in whole CZK per month."""

    id: str
    municipality_code: str
    orp_code: str
    lat: float
    lon: float
    rooms: int
    max_occupants: int
    rent: int
    services: int
    deposit: int
    available_from: date
    layout: str = ""
    floor: int = 0
    lift: bool = False
    step_free: bool = False
    pets_allowed: bool = False
    landlord: str | None = None
    building: str | None = None

    @property
    def housing_cost(self) -> int:
        """Rent plus services: what the household pays every month."""
        return self.rent + self.services


@dataclass(frozen=True, slots=True)
class FitWeights:
    """Integer weights of the fit terms (level 3 of the objective)."""

    cost_burden: int = 2  # per percentage point of income spent on housing
    occupancy: int = 10  # per spare place beyond the household's size
    distance: int = 2  # per km from the anchor point
    move_in_gap: int = 3  # per week until the flat is available


@dataclass(frozen=True, slots=True)
class ReservedShare:
    """At least ``min_percent`` % of the placements of a run go to households of ``group``."""

    group: str
    min_percent: int


@dataclass(frozen=True, slots=True)
class Policy:
    """Agency policy: rule parameters, objective weights and side constraints."""

    fit_weights: FitWeights = field(default_factory=FitWeights)
    days_waited_cap: int = 3650
    deposit_support: int = 0
    deposit_support_allowed: bool = False
    availability_window_days: int = 60
    max_per_social_worker: int | None = None
    max_per_landlord: int | None = None
    max_per_building: int | None = None
    reserved_shares: tuple[ReservedShare, ...] = ()
    relaxed: frozenset[str] = frozenset()
    near_miss_radius_percent: int = 50
    near_miss_budget_percent: int = 20

    @property
    def has_side_constraints(self) -> bool:
        """True when a constraint beyond plain assignment is active."""
        caps = (self.max_per_social_worker, self.max_per_landlord, self.max_per_building)
        return any(c is not None for c in caps) or any(
            s.min_percent > 0 for s in self.reserved_shares
        )


@dataclass(frozen=True, slots=True)
class Instance:
    """Everything one matching run needs. ``today`` makes days waited reproducible."""

    today: date
    households: tuple[Household, ...]
    flats: tuple[Flat, ...]
    policy: Policy = field(default_factory=Policy)
    excluded: tuple[tuple[str, str], ...] = ()  # (household id, flat id) declined before


@dataclass(frozen=True, slots=True)
class SolveOptions:
    """Solver knobs. Every run sets a time limit, a number of workers and a seed."""

    time_limit_s: float = 30.0
    workers: int = 2
    seed: int = 0
    explain: bool = True
    alternatives: int = 3
    near_misses: int = 3
    prune_k: int = 8  # candidate flats per household before the optimality certificate
    method: str = "auto"  # "auto", "flow", "flow-pruned" (with certificate) or "cpsat"
    cpsat_max_pairs: int = 20_000  # above this CP-SAT sees pruned candidate pairs only
