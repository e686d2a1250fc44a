"""The household form's acceptable area: municipality and ORP names resolved in the gazetteer.

Ambiguous names come back as radio choices; a resolved name is written back as
"Name (okres District)" so that the next submission resolves it again without a choice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from litestar import Request
from sqlmodel import Session

from agency.models import Municipality
from agency.rules import fold_diacritics
from agency.services.flats import MunicipalityMatch, label, resolve_municipality
from agency.services.gazetteer import list_orps
from web.forms import FormResult
from web.render import t

SEPARATORS = (";", "\n")


@dataclass(frozen=True)
class Pick:
    """An ambiguous municipality name and the municipalities it may mean."""

    name: str  # the radio group's name
    text: str
    choices: tuple[Municipality, ...]


@dataclass
class Area:
    """Resolved codes of the acceptable area, and the names still to choose among."""

    municipality_codes: tuple[int, ...] = ()
    orp_codes: tuple[int, ...] = ()
    anchor_code: int | None = None
    picks: list[Pick] = field(default_factory=list)


def resolve_area(
    request: Request[Any, Any, Any], db: Session, result: FormResult, data: Mapping[str, Any]
) -> Area:
    """Codes for the typed names; errors (in the user's language) added to `result`."""
    area = Area()
    _resolve_municipalities(request, db, result, area, data)
    _resolve_orps(request, db, result, area)
    _resolve_anchor(request, db, result, area, data)
    _check_area(request, result)
    return area


def split_names(text: str) -> list[str]:
    for separator in SEPARATORS[1:]:
        text = text.replace(separator, SEPARATORS[0])
    return [" ".join(item.split()) for item in text.split(SEPARATORS[0]) if item.strip()]


def _place(db: Session, text: str, code: int | None) -> MunicipalityMatch:
    """Resolve a name, also in the form "Name (okres District)" that the page writes back."""
    name, _, district = text.partition(" (okres ")
    found = resolve_municipality(db, text=name, code=code)
    if found.found is not None or not district:
        return found
    wanted = fold_diacritics(district.rstrip(")").strip())
    picked = [m for m in found.choices if fold_diacritics(m.okres_name) == wanted]
    return MunicipalityMatch(found=picked[0]) if len(picked) == 1 else found


def _picked(data: Mapping[str, Any], name: str) -> int | None:
    raw = data.get(name)
    raw = raw[0] if isinstance(raw, list) and raw else raw
    text = str(raw or "").strip()
    return int(text) if text.isdigit() and len(text) <= 9 else None


def _resolve_municipalities(
    request: Request[Any, Any, Any],
    db: Session,
    result: FormResult,
    area: Area,
    data: Mapping[str, Any],
) -> None:
    names = split_names(result.values.get("municipalities") or "")
    codes: list[int] = []
    written: list[str] = []
    unknown: list[str] = []
    for index, name in enumerate(names):
        group = f"pick_{index}"
        found = _place(db, name, _picked(data, group))
        if found.found is not None:
            codes.append(found.found.code)
            written.append(label(found.found))
        elif found.ambiguous:
            area.picks.append(Pick(name=group, text=name, choices=found.choices))
            written.append(name)
        else:
            unknown.append(name)
            written.append(name)
    area.municipality_codes = tuple(codes)
    if names:
        result.raw["municipalities"] = "; ".join(written)
    if unknown:
        message = "We could not find these municipalities: %(names)s. Check the spelling."
        result.add_error("municipalities", t(request, message, names=", ".join(unknown)))
    elif area.picks:
        message = "Several municipalities have this name: choose yours below."
        result.add_error("municipalities", t(request, message))


def _resolve_orps(
    request: Request[Any, Any, Any], db: Session, result: FormResult, area: Area
) -> None:
    names = split_names(result.values.get("orps") or "")
    if not names:
        return
    by_name = {fold_diacritics(name): (code, name) for code, name in list_orps(db)}
    found = [by_name.get(fold_diacritics(name)) for name in names]
    area.orp_codes = tuple(hit[0] for hit in found if hit is not None)
    result.raw["orps"] = "; ".join(
        hit[1] if hit else n for hit, n in zip(found, names, strict=True)
    )
    unknown = [n for hit, n in zip(found, names, strict=True) if hit is None]
    if unknown:
        message = "We could not find these ORPs: %(names)s. Check the spelling."
        result.add_error("orps", t(request, message, names=", ".join(unknown)))


def _resolve_anchor(
    request: Request[Any, Any, Any],
    db: Session,
    result: FormResult,
    area: Area,
    data: Mapping[str, Any],
) -> None:
    text = result.values.get("anchor")
    if not text:
        return
    found = _place(db, " ".join(text.split()), _picked(data, "pick_anchor"))
    if found.found is not None:
        area.anchor_code = found.found.code
        result.raw["anchor"] = label(found.found)
    elif found.ambiguous:
        area.picks.append(Pick(name="pick_anchor", text=text, choices=found.choices))
        result.add_error(
            "anchor", t(request, "Several municipalities have this name: choose yours below.")
        )
    else:
        result.add_error(
            "anchor", t(request, "We could not find this municipality. Check the spelling.")
        )


def _check_area(request: Request[Any, Any, Any], result: FormResult) -> None:
    values = result.values
    has_anchor = bool(values.get("anchor"))
    has_km = values.get("max_distance_km") is not None
    if has_anchor and not has_km and "max_distance_km" not in result.errors:
        result.add_error(
            "max_distance_km", t(request, "Enter the maximum distance from the anchor place.")
        )
    if has_km and not has_anchor:
        result.add_error("anchor", t(request, "Enter the anchor place for the distance."))
    elif values.get("anchor_label") and not has_anchor:
        result.add_error("anchor", t(request, "Enter the anchor place this label describes."))
    names = values.get("municipalities") or values.get("orps")
    if not names and not has_anchor:
        message = "Give the acceptable area: municipalities, ORPs or an anchor place."
        result.add_error("municipalities", t(request, message))
