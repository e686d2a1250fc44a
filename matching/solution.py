"""Solution types: assignments, explanations, lexicographic objective and status."""

from __future__ import annotations

from dataclasses import dataclass, field

from matching.instance import URGENCY_LEVELS


@dataclass(frozen=True, slots=True)
class Objective:
    """Lexicographic objective: housed per urgency (5 first), then days waited, then fit.

    Levels 1 and 2 are maximised, level 3 (fit, a penalty) is minimised.
    """

    housed_by_urgency: tuple[int, int, int, int, int]  # urgency 5, 4, 3, 2, 1
    days_waited: int
    fit: int

    def key(self) -> tuple[int, ...]:
        """A tuple that compares like the objective: larger is better."""
        return (*self.housed_by_urgency, self.days_waited, -self.fit)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form with urgency levels named."""
        housed = {str(u): n for u, n in zip(URGENCY_LEVELS, self.housed_by_urgency, strict=True)}
        return {"housed_by_urgency": housed, "days_waited": self.days_waited, "fit": self.fit}


@dataclass(frozen=True, slots=True)
class Alternative:
    """Another compatible flat for a matched household, with its fit score."""

    flat_id: str
    fit: int
    terms: dict[str, int]
    taken: bool  # assigned to another household in this run


@dataclass(frozen=True, slots=True)
class Assignment:
    """A household placed in a flat, with the named fit terms of the pair."""

    household_id: str
    flat_id: str
    urgency: int
    days_waited: int
    fit: int
    terms: dict[str, int]
    alternatives: tuple[Alternative, ...] = ()


@dataclass(frozen=True, slots=True)
class NearMiss:
    """A flat failing exactly one hard constraint, and by how much."""

    flat_id: str
    constraint: str
    gap: float
    unit: str


@dataclass(frozen=True, slots=True)
class Outranked:
    """Compatible flats went to households placed before this one (no ids disclosed)."""

    compatible_flats: int
    taken_by_urgency: dict[int, int]
    own_rank: int  # 1 = highest priority in the run (urgency, then days waited)
    best_rank_taking: int


@dataclass(frozen=True, slots=True)
class Unmatched:
    """Why a household stayed without a flat in this run."""

    household_id: str
    urgency: int
    days_waited: int
    excluded_by: dict[str, int]  # constraint -> number of flats failing it
    compatible_flats: int
    near_misses: tuple[NearMiss, ...] = ()
    outranked: Outranked | None = None
    limited_by: tuple[str, ...] = ()  # side constraints that kept a free compatible flat away
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Solution:
    """Result of one run. ``bound`` is a proven bound on the objective per level."""

    status: str  # "optimal" or "feasible"
    method: str
    assignments: tuple[Assignment, ...]
    unmatched: tuple[Unmatched, ...]
    objective: Objective
    bound: Objective
    timings: dict[str, float] = field(default_factory=dict)
    stats: dict[str, int] = field(default_factory=dict)

    def matched_ids(self) -> set[str]:
        """Ids of the households placed in this run."""
        return {a.household_id for a in self.assignments}
