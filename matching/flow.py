"""Exact assignment by OR-Tools min-cost flow.

Network: source -> household (cost -K * priority rank) -> flat (cost = fit) -> sink, plus a
source -> sink bypass so that households may stay unmatched. Optional cap nodes (social
worker on the household side, building and landlord on the flat side) keep the network a
flow network, so caps of those kinds are still solved exactly for the weighted objective.

K exceeds the largest possible total fit, so one more unit of priority weight always beats
any fit difference: levels 1-2 first, then level 3.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching.network import HEADROOM, Caps, CostRangeError, FlowError, build_network, solve_network

I64 = npt.NDArray[np.int64]

__all__ = [
    "Caps",
    "CostRangeError",
    "FlowError",
    "FlowResult",
    "check_range",
    "scale_for",
    "solve_flow",
]


@dataclass(frozen=True, slots=True)
class FlowResult:
    """Chosen arc per household (-1 if unmatched) and the combined objective value."""

    arc_of_household: I64
    cost: int
    scale: int  # K


def scale_for(n_h: int, n_f: int, fit: I64) -> int:
    """K: one more unit of household weight outweighs any total fit difference."""
    top = int(fit.max()) if len(fit) else 0
    return min(n_h, n_f) * max(top, 0) + 1


def check_range(scale: int, weight: I64, n_nodes: int, n_h: int) -> None:
    """Refuse cost ranges for which OR-Tools' internal scaling could overflow int64."""
    top = scale * (int(weight.max()) if len(weight) else 0)
    if top * (n_nodes + 1) >= HEADROOM or top * max(n_h, 1) >= HEADROOM:
        raise CostRangeError(
            f"cost range too large for int64 (scale {scale}, top cost {top}, {n_nodes} nodes); "
            "lower the fit weights"
        )


def solve_flow(
    n_h: int,
    n_f: int,
    h: I64,
    f: I64,
    fit: I64,
    weight: I64,
    caps: Caps | None = None,
    scale: int | None = None,
) -> FlowResult:
    """Maximise sum(weight) of matched households, then minimise the sum of fit."""
    scale = scale or scale_for(n_h, n_f, fit)
    net = build_network(n_h, n_f, h, f, caps or Caps())
    check_range(scale, weight, net.n_nodes, n_h)
    cost = np.zeros(len(net.tail), dtype=np.int64)
    cost[net.src] = -scale * weight
    cost[net.pair] = fit
    flow = solve_network(net, cost)
    used = np.flatnonzero(flow[net.pair] > 0)
    arc = np.full(n_h, -1, dtype=np.int64)
    arc[h[used]] = used
    return FlowResult(arc, int((cost * flow).sum()), scale)
