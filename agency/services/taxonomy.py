"""The barrier taxonomy and the interventions as data the admin edits, and the structural
barriers the matching engine found for the households it could not house."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from agency.enums import BarrierSource, BarrierStage
from agency.errors import InvalidInput, NotFound
from agency.models import Barrier, BarrierCategory, Household, Intervention, MatchingRun
from agency.services.barriers import record_barrier

Kind = Literal["category", "intervention"]
CODE_RE = re.compile(r"^[a-z][a-z0-9_]{1,49}$")

# The engine's binding constraint → the barrier category it stands for.
ENGINE_BARRIERS: dict[str, str] = {
    "budget": "rent_unaffordable",
    "size": "household_too_large",
    "location": "no_flat_in_area",
    "deposit": "deposit_unaffordable",
    "accessibility": "accessibility_health",
}


def _model(kind: Kind) -> type[BarrierCategory] | type[Intervention]:
    return BarrierCategory if kind == "category" else Intervention


def list_terms(session: Session, *, kind: Kind) -> list[tuple[Any, int]]:
    """Every category (or intervention), active or not, with how many barriers use it."""
    model = _model(kind)
    link = Barrier.category_id if kind == "category" else Barrier.intervention_id
    used = (
        sa.select(col(link).label("term_id"), sa.func.count().label("n"))
        .group_by(col(link))
        .subquery()
    )
    query = (
        sa.select(model, sa.func.coalesce(used.c.n, 0))
        .outerjoin(used, used.c.term_id == col(model.id))
        .order_by(col(model.sort_order), col(model.id))
    )
    return [(term, int(n)) for term, n in session.execute(query).all()]


def _names(name_cs: str, name_en: str) -> tuple[str, str]:
    cs, en = name_cs.strip()[:200], name_en.strip()[:200]
    if not cs:
        raise InvalidInput("This field is required.", field="name_cs")
    if not en:
        raise InvalidInput("This field is required.", field="name_en")
    return cs, en


def add_term(session: Session, *, kind: Kind, code: str, name_cs: str, name_en: str) -> Any:
    """A new category or intervention; the code is fixed once used (summaries refer to it)."""
    model = _model(kind)
    code = code.strip().lower()
    if not CODE_RE.match(code):
        raise InvalidInput(
            "Use lower-case letters, digits and underscores (2 to 50).", field="code"
        )
    if session.exec(select(model).where(model.code == code)).first() is not None:
        raise InvalidInput("This code exists already.", field="code")
    cs, en = _names(name_cs, name_en)
    last = session.execute(sa.select(sa.func.max(model.sort_order))).scalar() or 0
    term = model(code=code, name_cs=cs, name_en=en, sort_order=int(last) + 1)
    session.add(term)
    session.flush()
    return term


def _get(session: Session, kind: Kind, term_id: int) -> Any:
    term = session.get(_model(kind), term_id)
    if term is None:
        raise NotFound("This item does not exist.")
    return term


def rename_term(session: Session, *, kind: Kind, term_id: int, name_cs: str, name_en: str) -> Any:
    """Change the Czech and English names (the code and past barriers stay)."""
    term = _get(session, kind, term_id)
    term.name_cs, term.name_en = _names(name_cs, name_en)
    session.add(term)
    session.flush()
    return term


def set_term_active(session: Session, *, kind: Kind, term_id: int, active: bool) -> Any:
    """Deactivate (or reactivate) a term: it is no longer offered but past records keep it.
    Nothing is ever deleted, so used terms stay for the summaries."""
    term = _get(session, kind, term_id)
    term.active = active
    session.add(term)
    session.flush()
    return term


# --- the engine's structural barriers ---------------------------------------------------


def binding_constraint(item: dict[str, Any]) -> str | None:
    """The constraint that kept an unmatched household without a flat: the nearest near
    miss's, else the one excluding most flats; None when flats were there (outranked)."""
    if int(item.get("compatible_flats") or 0) > 0:
        return None
    for miss in item.get("near_misses") or []:
        if miss.get("constraint") in ENGINE_BARRIERS:
            return str(miss["constraint"])
    counts = {k: int(v or 0) for k, v in (item.get("excluded_by") or {}).items()}
    ranked = sorted(ENGINE_BARRIERS, key=lambda k: -counts.get(k, 0))
    return ranked[0] if ranked and counts.get(ranked[0], 0) > 0 else None


def record_run_barriers(session: Session, *, run_id: int, observed_on: date) -> int:
    """Record, once per household and run, the structural barrier of every household the
    stored run left unmatched; returns how many barriers were added."""
    run = session.get(MatchingRun, run_id)
    if run is None:
        raise NotFound("This matching run does not exist.")
    marker = f"matching run {run_id}"
    done_query = select(Barrier.household_id).where(
        Barrier.source == BarrierSource.engine, col(Barrier.note).startswith(marker)
    )
    done = set(session.exec(done_query).all())
    items = (run.explanations or {}).get("unmatched") or []
    ids = [int(i["household_id"]) for i in items]
    known = set(session.exec(select(Household.id).where(col(Household.id).in_(ids))).all())
    added = 0
    for item in items:
        household_id, constraint = int(item["household_id"]), binding_constraint(item)
        if constraint is None or household_id in done or household_id not in known:
            continue
        record_barrier(
            session,
            category_code=ENGINE_BARRIERS[constraint],
            stage=BarrierStage.access,
            source=BarrierSource.engine,
            observed_on=observed_on,
            household_id=household_id,
            note=f"{marker}: {constraint}",
        )
        done.add(household_id)
        added += 1
    return added


def terms_by_id(session: Session, *, kind: Kind) -> dict[int, Any]:
    model = _model(kind)
    rows: Sequence[Any] = session.exec(select(model)).all()
    return {int(t.id or 0): t for t in rows}
