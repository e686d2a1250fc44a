"""Housing matching engine: pairs vetted flats with households in housing need.

Pure Python over plain typed inputs; exact optimisation with OR-Tools.
"""

from matching.engine import solve
from matching.instance import (
    Anchor,
    FitWeights,
    Flat,
    Household,
    Instance,
    Policy,
    ReservedShare,
    SolveOptions,
)
from matching.io import InstanceError, dump_solution, load_instance
from matching.solution import Solution
from matching.whatif import Change, WhatIfReport, what_if

__all__ = [
    "Anchor",
    "Change",
    "FitWeights",
    "Flat",
    "Household",
    "Instance",
    "InstanceError",
    "Policy",
    "ReservedShare",
    "Solution",
    "SolveOptions",
    "WhatIfReport",
    "dump_solution",
    "load_instance",
    "solve",
    "what_if",
]
