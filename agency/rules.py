"""Pure rules: status transitions, layouts, affordability, distances.

No ORM, web or settings imports (a test keeps it so).
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Mapping
from datetime import date
from enum import StrEnum

from agency.enums import FlatStatus, HouseholdStatus, LeaseStatus, MatchStatus


class TransitionError(ValueError):
    """A status change that the record's life cycle does not allow."""

    def __init__(self, record: str, current: StrEnum, target: StrEnum) -> None:
        super().__init__(f"{record}: cannot go from '{current}' to '{target}'")
        self.record = record
        self.current = current
        self.target = target


_FS = FlatStatus
FLAT_TRANSITIONS: Mapping[FlatStatus, frozenset[FlatStatus]] = {
    _FS.submitted: frozenset({_FS.vetting, _FS.available, _FS.rejected, _FS.withdrawn}),
    _FS.vetting: frozenset({_FS.available, _FS.rejected, _FS.withdrawn}),
    _FS.available: frozenset({_FS.offered, _FS.withdrawn}),
    _FS.rejected: frozenset({_FS.vetting, _FS.withdrawn}),
    _FS.offered: frozenset({_FS.let, _FS.available, _FS.withdrawn}),
    _FS.let: frozenset({_FS.available, _FS.withdrawn}),
    _FS.withdrawn: frozenset(),
}

_HS = HouseholdStatus
HOUSEHOLD_TRANSITIONS: Mapping[HouseholdStatus, frozenset[HouseholdStatus]] = {
    _HS.registered: frozenset({_HS.waiting, _HS.closed}),
    _HS.waiting: frozenset({_HS.offered, _HS.closed}),
    _HS.offered: frozenset({_HS.housed, _HS.waiting, _HS.closed}),
    _HS.housed: frozenset({_HS.waiting, _HS.closed}),
    _HS.closed: frozenset(),
}

_MS = MatchStatus
MATCH_TRANSITIONS: Mapping[MatchStatus, frozenset[MatchStatus]] = {
    _MS.proposed: frozenset({_MS.approved, _MS.rejected, _MS.withdrawn}),
    _MS.approved: frozenset({_MS.accepted, _MS.declined, _MS.expired, _MS.withdrawn}),
    _MS.accepted: frozenset({_MS.leased, _MS.withdrawn}),
    _MS.rejected: frozenset(),
    _MS.declined: frozenset(),
    _MS.expired: frozenset(),
    _MS.withdrawn: frozenset(),
    _MS.leased: frozenset(),
}

LEASE_TRANSITIONS: Mapping[LeaseStatus, frozenset[LeaseStatus]] = {
    LeaseStatus.active: frozenset({LeaseStatus.ended}),
    LeaseStatus.ended: frozenset(),
}

_TABLES: Mapping[type[StrEnum], tuple[str, Mapping[StrEnum, frozenset[StrEnum]]]] = {
    FlatStatus: ("flat", FLAT_TRANSITIONS),  # type: ignore[dict-item]
    HouseholdStatus: ("household", HOUSEHOLD_TRANSITIONS),  # type: ignore[dict-item]
    MatchStatus: ("match", MATCH_TRANSITIONS),  # type: ignore[dict-item]
    LeaseStatus: ("lease", LEASE_TRANSITIONS),  # type: ignore[dict-item]
}


def can_transition(current: StrEnum, target: StrEnum) -> bool:
    """Whether a record in status `current` may move to `target`."""
    _, table = _TABLES[type(current)]
    return target in table[current]


def check_transition(current: StrEnum, target: StrEnum) -> None:
    """Raise TransitionError unless `current` → `target` is allowed."""
    if not can_transition(current, target):
        record, _ = _TABLES[type(current)]
        raise TransitionError(record, current, target)


LAYOUT_RE = re.compile(r"^(?P<rooms>[1-9])\s*\+\s*(?P<kitchen>kk|1|0)$", re.IGNORECASE)


def parse_layout(layout: str) -> int:
    """Rooms of a Czech layout notation ("2+kk" → 2, "3+1" → 3); ValueError when malformed."""
    found = LAYOUT_RE.match(layout.strip())
    if found is None:
        raise ValueError(f"layout '{layout}' is not in the form 2+kk or 3+1")
    return int(found.group("rooms"))


def normalise_layout(layout: str) -> str:
    """The canonical spelling of a layout ("2 + KK" → "2+kk")."""
    found = LAYOUT_RE.match(layout.strip())
    if found is None:
        raise ValueError(f"layout '{layout}' is not in the form 2+kk or 3+1")
    return f"{found.group('rooms')}+{found.group('kitchen').lower()}"


def max_housing_cost(
    income: int, housing_allowance: int, housing_supplement: int, share_percent: int = 40
) -> int:
    """What a household can carry each month for rent and services, in whole CZK.

    The household keeps `share_percent` of its own net income for housing, and the
    housing allowance (příspěvek na bydlení) and supplement (doplatek na bydlení) are
    paid towards housing in full.
    """
    if min(income, housing_allowance, housing_supplement) < 0:
        raise ValueError("income and benefits must not be negative")
    if not 0 <= share_percent <= 100:
        raise ValueError("share_percent must be between 0 and 100")
    return income * share_percent // 100 + housing_allowance + housing_supplement


def cost_burden_percent(rent: int, services: int, income_with_benefits: int) -> int:
    """Housing cost as a whole percentage of the household's income with benefits."""
    if income_with_benefits <= 0:
        return 100 if rent + services > 0 else 0
    return (rent + services) * 100 // income_with_benefits


def month_start(day: date) -> date:
    """The first day of `day`'s month."""
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the end of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def building_key(street: str, municipality_code: int) -> str:
    """The normalised address that groups flats of one building."""
    return f"{' '.join(fold_diacritics(street).split())}|{municipality_code}"


EARTH_RADIUS_KM = 6371.0088


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


# Czech alphabetical order: "ch" is a letter after "h"; č ř š ž are letters of their own;
# the other accents only break ties.
_CZ_ALPHABET = [
    "0",
    "1",
    "2",
    "3",
    "4",
    "5",
    "6",
    "7",
    "8",
    "9",
    "a",
    "b",
    "c",
    "č",
    "d",
    "e",
    "f",
    "g",
    "h",
    "ch",
    "i",
    "j",
    "k",
    "l",
    "m",
    "n",
    "o",
    "p",
    "q",
    "r",
    "ř",
    "s",
    "š",
    "t",
    "u",
    "v",
    "w",
    "x",
    "y",
    "z",
    "ž",
]
_CZ_PRIMARY = {letter: index + 10 for index, letter in enumerate(_CZ_ALPHABET)}
_CZ_SECONDARY = str.maketrans("áďéěíňóťúůý", "adeeinotuuy")


def fold_diacritics(text: str) -> str:
    """Lowercase ASCII folding for searching: "Plzeň" → "plzen"."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def czech_sort_key(text: str) -> str:
    """A key of two-digit codes that sorts `text` in Czech order under any collation."""
    base = text.casefold().translate(_CZ_SECONDARY)
    codes: list[str] = []
    i = 0
    while i < len(base):
        if base[i : i + 2] == "ch":
            codes.append(f"{_CZ_PRIMARY['ch']:02d}")
            i += 2
            continue
        codes.append(f"{_CZ_PRIMARY.get(base[i], 99 if base[i].isalpha() else 1):02d}")
        i += 1
    accents = "".join("1" if a != b else "0" for a, b in zip(text.casefold(), base, strict=True))
    return "".join(codes) + "00" + accents
