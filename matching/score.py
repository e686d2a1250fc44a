"""Named integer fit terms (level 3 of the objective) and the priority weights of levels 1-2.

Every term is capped so that the largest possible fit of a pair, ``fit_max``, is known in
advance; the flow solver needs it to keep int64 costs from overflowing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching.columns import Columns
from matching.instance import FIT_TERMS, FitWeights

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

#: Cap of each term's raw measure (before its weight).
CAPS: dict[str, int] = {
    "cost_burden": 100,  # percent of income spent on housing
    "occupancy": 10,  # spare places in the flat
    "distance": 100,  # km from the anchor point
    "move_in_gap": 26,  # weeks until the flat is available
}


@dataclass(frozen=True, slots=True)
class FitTerms:
    """Per-pair weighted terms; ``total`` is their sum (lower is better)."""

    terms: dict[str, npt.NDArray[np.int32]]
    total: I64

    def row(self, i: int) -> dict[str, int]:
        """Terms of pair ``i`` as plain ints."""
        return {name: int(v[i]) for name, v in self.terms.items()}


def fit_max(weights: FitWeights) -> int:
    """Largest possible fit of any pair under these weights."""
    return sum(getattr(weights, name) * CAPS[name] for name in FIT_TERMS)


def fit_terms(cols: Columns, h: I64, f: I64, km: F64, weights: FitWeights, today: int) -> FitTerms:
    """Weighted integer fit terms for the pairs (h[i], f[i])."""
    hh, fl = cols.hh, cols.fl
    income = np.maximum(hh.income[h], 1)
    raw = {
        # Ceil so that any positive burden counts; households without income get the cap.
        "cost_burden": (100 * fl.cost[f] + income - 1) // income,
        "occupancy": np.maximum(fl.occupants[f] - hh.persons[h], 0),
        "distance": np.rint(np.nan_to_num(km, nan=0.0)).astype(np.int64),
        "move_in_gap": (np.maximum(fl.available[f] - today, 0) + 6) // 7,
    }
    # int32 is ample (caps times weights <= 100,000) and halves the memory of large runs.
    terms = {
        name: (np.minimum(raw[name], CAPS[name]) * getattr(weights, name)).astype(np.int32)
        for name in FIT_TERMS
    }
    total = np.zeros(len(h), dtype=np.int64)
    for v in terms.values():
        total += v
    return FitTerms(terms, total)


def priority_rank(urgency: I64, days: I64) -> I64:
    """Dense rank of (urgency, days waited), 1 = lowest priority.

    Without side constraints the sets of households that can be housed together are the
    independent sets of a transversal matroid. For a matroid, the optimal bases of a weighted
    objective depend only on the weak order of the weights, so these small ranks give exactly
    the same optimal sets as the lexicographic objective (urgency counts 5..1, then days
    waited), whose literal weights would not fit in 64 bits.
    """
    key = urgency * (1 << 20) + days
    _, inverse = np.unique(key, return_inverse=True)
    out: I64 = inverse.astype(np.int64) + 1
    return out
