"""The barrier figures of a summary (DESIGN §7 point 3), each one SQL aggregate."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from agency.enums import BarrierStage, Party
from agency.models import Barrier, BarrierCategory, Flat, Intervention, Match, Municipality
from agency.services.summary_figures import Figure, breakdown, count, stat
from agency.services.summary_sql import Period, Where

STAGES = tuple(s.value for s in BarrierStage)


def barrier_figures(session: Session, period: Period, where: Where) -> list[Figure]:
    """Counts by category and stage, by ORP, the previous period by category, the share
    overcome, the interventions that overcame them, and landlord declines by reason."""
    groups = _groups(session, period, where)
    return [
        _by_category_stage(session, groups),
        _by_orp(groups),
        _by_category(session, period.previous(), where, "barriers_previous_by_category"),
        _overcome(groups),
        _what_works(session, period, where),
        _landlord_declines(session, period, where),
    ]


Groups = list[tuple[str, str, Any, bool, int]]


def _groups(session: Session, period: Period, where: Where) -> Groups:
    """The period's barriers counted by category, stage, ORP and whether overcome by its
    end: one scan (no join); the tables below are sums of these few groups."""
    done = sa.and_(col(Barrier.overcome_on).is_not(None), col(Barrier.overcome_on) <= period.end)
    overcome = sa.case((done, 1), else_=0)
    columns = (col(Barrier.category_id), col(Barrier.stage), col(Barrier.orp_code), overcome)
    query = sa.select(*columns, sa.func.count()).where(*_observed(period, where)).group_by(*columns)
    codes = dict(
        session.execute(sa.select(col(BarrierCategory.id), col(BarrierCategory.code))).all()
    )
    return [
        (str(codes[c]), str(s), o, bool(d), int(n))
        for c, s, o, d, n in session.execute(query).all()
    ]


def _observed(period: Period, where: Where) -> list[Any]:
    return [period.dates(Barrier.observed_on), where.orp(Barrier.orp_code)]


def _categories(session: Session) -> list[str]:
    query = sa.select(col(BarrierCategory.code)).order_by(
        col(BarrierCategory.sort_order), col(BarrierCategory.code)
    )
    return [str(code) for code in session.execute(query).scalars().all()]


def _by_category_stage(session: Session, groups: Groups) -> Figure:
    found: dict[tuple[str, str], int] = {}
    for category, stage, _, _, n in groups:
        found[(category, stage)] = found.get((category, stage), 0) + n
    rows = [c for c in _categories(session) if any((c, s) in found for s in STAGES)]
    cells = [[found.get((r, s), 0) for s in STAGES] for r in rows]
    return {
        "id": "barriers_by_category_stage",
        "kind": "table",
        "rows": rows,
        "columns": list(STAGES),
        "cells": cells,
    }


def _by_orp(groups: Groups) -> Figure:
    found: dict[Any, int] = {}
    for _, _, orp, _, n in groups:
        found[orp] = found.get(orp, 0) + n
    keys = sorted(found, key=lambda k: (k is None, k or 0))
    return breakdown("barriers_by_orp", [(k, found[k]) for k in keys])


def _by_category(session: Session, period: Period, where: Where, figure_id: str) -> Figure:
    query = (
        sa.select(col(BarrierCategory.code), sa.func.count())
        .select_from(Barrier)
        .join(BarrierCategory, col(BarrierCategory.id) == col(Barrier.category_id))
        .where(*_observed(period, where))
        .group_by(col(BarrierCategory.code))
    )
    found = {str(c): int(n) for c, n in session.execute(query).all()}
    return breakdown(figure_id, [(c, found[c]) for c in _categories(session) if c in found])


def _overcome(groups: Groups) -> Figure:
    """Of the barriers met in the period, the share overcome by its end."""
    total = sum(n for *_, n in groups)
    overcome = sum(n for _, _, _, done, n in groups if done)
    return stat("barriers_overcome_share", overcome / total if total else None, total, "share")


def _what_works(session: Session, period: Period, where: Where) -> Figure:
    """Barriers overcome in the period, by the intervention that overcame them."""
    query = (
        sa.select(col(Intervention.code), sa.func.count())
        .select_from(Barrier)
        .outerjoin(Intervention, col(Intervention.id) == col(Barrier.intervention_id))
        .where(period.dates(Barrier.overcome_on), where.orp(Barrier.orp_code))
        .group_by(col(Intervention.code))
        .order_by(sa.func.count().desc(), col(Intervention.code))
    )
    return breakdown("overcome_by_intervention", [(k, n) for k, n in session.execute(query).all()])


def _landlord_declines(session: Session, period: Period, where: Where) -> Figure:
    query = (
        sa.select(col(Match.landlord_reason), sa.func.count())
        .select_from(Match)
        .join(Flat, col(Flat.id) == col(Match.flat_id))
        .where(
            col(Match.declined_by) == Party.landlord,
            period.moments(Match.landlord_answered_at),
            where.place(Flat.municipality_code),
        )
        .group_by(col(Match.landlord_reason))
        .order_by(col(Match.landlord_reason))
    )
    return breakdown(
        "landlord_declines_by_reason", [(k, n) for k, n in session.execute(query).all()]
    )


def count_barriers(session: Session, period: Period, where: Where) -> Figure:
    query = sa.select(sa.func.count()).select_from(Barrier).where(*_observed(period, where))
    return count("barriers_total", int(session.execute(query).scalar_one()))


def labels(session: Session) -> dict[str, dict[str, dict[str, str]]]:
    """Names of the categories, interventions and ORPs the figures cite, in Czech and English."""
    cats = session.execute(
        sa.select(
            col(BarrierCategory.code), col(BarrierCategory.name_cs), col(BarrierCategory.name_en)
        )
    ).all()
    ints = session.execute(
        sa.select(col(Intervention.code), col(Intervention.name_cs), col(Intervention.name_en))
    ).all()
    return {
        "barrier_category": {c: {"cs": cs, "en": en} for c, cs, en in cats},
        "intervention": {c: {"cs": cs, "en": en} for c, cs, en in ints},
    }


def orp_names(session: Session, codes: list[str]) -> dict[str, str]:
    numbers = [int(c) for c in codes if c.isdigit()]
    query = (
        sa.select(col(Municipality.orp_code), col(Municipality.orp_name))
        .where(col(Municipality.orp_code).in_(numbers))
        .distinct()
    )
    return {str(code): str(name) for code, name in session.execute(query).all()}
