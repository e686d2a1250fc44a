"""The Platform's summaries: build a draft, publish it, read it, record recommendations."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from agency.enums import RecommendationStatus, SummaryScope, SummaryStatus, UserRole
from agency.errors import Conflict, InvalidInput, NotFound
from agency.models import Municipality, Recommendation, Summary, User
from agency.services.matching_input import setting_value
from agency.services.summary_barriers import barrier_figures, labels, orp_names
from agency.services.summary_figures import flow_figures, outcome_figures
from agency.services.summary_publish import publish_sections, publish_what_if
from agency.services.summary_sql import Period, Where
from agency.services.summary_whatif import Scenario, structural_gaps
from notifications.service import notify

DEFAULT_K = 5
MIN_K = 3


def summary_k(session: Session) -> int:
    """The suppression threshold: the `summary_k` setting, else 5 (never below 3: a "<2" would
    say "exactly 1")."""
    return max(setting_value(session, "summary_k", DEFAULT_K), MIN_K)


def scope_name(session: Session, scope: SummaryScope, code: str) -> str:
    """The scope's place name ("" for the whole agency); InvalidInput for an unknown code."""
    if scope == SummaryScope.agency:
        return ""
    if scope == SummaryScope.orp:
        if not code.isdigit() or len(code) > 9:
            raise InvalidInput("Choose an ORP or a region from the list.", field="scope_code")
        query: Any = sa.select(col(Municipality.orp_name)).where(
            col(Municipality.orp_code) == int(code)
        )
    else:
        query = sa.select(col(Municipality.kraj_name)).where(col(Municipality.kraj_code) == code)
    name = session.execute(query.limit(1)).scalar()
    if name is None:
        raise InvalidInput("Choose an ORP or a region from the list.", field="scope_code")
    return str(name)


def compute_figures(
    session: Session, *, period: Period, where: Where, scenarios: Sequence[Scenario] = ()
) -> tuple[dict[str, list[dict[str, Any]]], list[dict[str, Any]]]:
    """The raw figures by section and the raw what-if results (nothing suppressed)."""
    gaps, what_ifs = structural_gaps(
        session,
        scope=where.scope,
        scope_code=where.code,
        period_end=period.end,
        scenarios=list(scenarios),
    )
    sections = {
        "flow": flow_figures(session, period, where),
        "outcomes": outcome_figures(session, period, where),
        "barriers": barrier_figures(session, period, where),
        "gaps": gaps,
    }
    return sections, what_ifs


def build_summary(
    session: Session,
    *,
    period_start: date,
    period_end: date,
    scope: SummaryScope,
    scope_code: str = "",
    k: int | None = None,
    scenarios: Sequence[Scenario] = (),
    built_by_id: int | None = None,
    now: datetime,
) -> Summary:
    """Build a draft summary: every figure of DESIGN §7, suppressed with threshold k (the
    agency's setting when not given). A summary of the same period and scope → Conflict."""
    if period_end <= period_start:
        raise InvalidInput("The period must end after it starts.", field="period_end")
    code = "" if scope == SummaryScope.agency else scope_code.strip()
    name = scope_name(session, scope, code)
    if find_summary(
        session, period_start=period_start, period_end=period_end, scope=scope, code=code
    ):
        raise Conflict("A summary for this period and scope exists already.")
    k = k if k is not None else summary_k(session)
    if not MIN_K <= k <= 100:
        raise InvalidInput("Enter a whole number between 3 and 100.", field="k")
    sections, what_ifs = compute_figures(
        session,
        period=Period(period_start, period_end),
        where=Where(scope, code),
        scenarios=scenarios,
    )
    summary = Summary(
        period_start=period_start,
        period_end=period_end,
        scope=scope,
        scope_code=code,
        k_threshold=k,
        figures=_published(session, sections, k, scope, code, name, built_by_id),
        what_ifs=[publish_what_if(r, k) for r in what_ifs],
        built_at=now,
    )
    session.add(summary)
    session.flush()
    return summary


def _published(
    session: Session,
    sections: dict[str, list[dict[str, Any]]],
    k: int,
    scope: SummaryScope,
    code: str,
    name: str,
    built_by_id: int | None,
) -> dict[str, Any]:
    published = publish_sections(sections, k)
    orps = [
        i["key"] for f in published["barriers"] if f["id"] == "barriers_by_orp" for i in f["items"]
    ]
    return {
        "k": k,
        "scope": {"kind": scope.value, "code": code, "name": name},
        "sections": published,
        "labels": labels(session) | {"orp": orp_names(session, orps)},
        "built_by_staff": built_by_id is not None,
    }


def find_summary(
    session: Session, *, period_start: date, period_end: date, scope: SummaryScope, code: str
) -> Summary | None:
    query = select(Summary).where(
        Summary.period_start == period_start,
        Summary.period_end == period_end,
        Summary.scope == scope,
        Summary.scope_code == code,
    )
    return session.exec(query).first()


def get_summary(session: Session, *, summary_id: int, actor: User) -> Summary:
    """A summary; drafts exist only for staff and admins (others get NotFound)."""
    found = session.get(Summary, summary_id)
    if found is None or (found.status == SummaryStatus.draft and not _is_staff(actor)):
        raise NotFound("This summary does not exist.")
    return found


def _is_staff(user: User) -> bool:
    return user.role in (UserRole.staff, UserRole.admin)


def list_summaries(
    session: Session, *, actor: User, limit: int = 50, offset: int = 0
) -> tuple[list[Summary], int]:
    """Summaries newest period first (platform members see the published ones only)."""
    conditions = [] if _is_staff(actor) else [col(Summary.status) == SummaryStatus.published]
    total = session.execute(
        sa.select(sa.func.count()).select_from(Summary).where(*conditions)
    ).scalar_one()
    query = (
        select(Summary)
        .where(*conditions)
        .order_by(col(Summary.period_end).desc(), col(Summary.id).desc())
        .limit(limit)
        .offset(offset)
    )
    return list(session.exec(query).all()), int(total)


def publish_summary(session: Session, *, summary_id: int, actor: User, now: datetime) -> Summary:
    """Publish a draft and notify every active platform member (once per summary)."""
    summary = get_summary(session, summary_id=summary_id, actor=actor)
    if summary.status == SummaryStatus.published:
        raise Conflict("This summary is published already.")
    summary.status = SummaryStatus.published
    summary.published_at = now
    summary.published_by_id = actor.id
    session.add(summary)
    members = session.exec(
        select(User).where(User.role == UserRole.platform_member, col(User.active).is_(True))
    ).all()
    notify(
        session,
        kind="summary_published",
        event_key=f"summary_published:{summary.id}",
        recipients=members,
        context=summary_context(summary),
        link=f"/summaries/{summary.id}",
        now=now,
    )
    session.flush()
    return summary


def summary_context(summary: Summary) -> dict[str, Any]:
    scope = (summary.figures or {}).get("scope", {})
    name = scope.get("name") or ""
    return {
        "title": summary_title(summary),
        "scope_name": name or "agency",
        "period_start": summary.period_start.isoformat(),
        "period_end": summary.period_end.isoformat(),
    }


def summary_title(summary: Summary) -> str:
    half = 1 if summary.period_start.month <= 6 else 2
    name = (summary.figures or {}).get("scope", {}).get("name") or ""
    return f"{summary.period_start.year}/{half}" + (f" {name}" if name else "")


# --- recommendations ---------------------------------------------------------------------


def list_recommendations(session: Session, *, summary_id: int) -> list[Recommendation]:
    query = (
        select(Recommendation)
        .where(Recommendation.summary_id == summary_id)
        .order_by(col(Recommendation.id))
    )
    return list(session.exec(query).all())


def add_recommendation(
    session: Session,
    *,
    summary: Summary,
    text: str,
    responsible_body: str | None,
    actor: User,
    now: datetime,
) -> Recommendation:
    """Record the Platform's recommendation against a published summary."""
    if summary.status != SummaryStatus.published:
        raise Conflict("Recommendations are recorded against published summaries.")
    text = text.strip()
    if not text:
        raise InvalidInput("Write the recommendation.", field="text")
    record = Recommendation(
        summary_id=int(summary.id or 0),
        text=text[:4000],
        responsible_body=(responsible_body or "").strip()[:200] or None,
        recorded_by_id=actor.id,
        created_at=now,
    )
    session.add(record)
    session.flush()
    return record


def set_recommendation_status(
    session: Session,
    *,
    summary: Summary,
    recommendation_id: int,
    status: RecommendationStatus,
    now: datetime,
) -> Recommendation:
    """Mark a recommendation proposed, adopted or rejected."""
    record = session.get(Recommendation, recommendation_id)
    if record is None or record.summary_id != summary.id:
        raise NotFound("This recommendation does not exist.")
    record.status = status
    record.updated_at = now
    session.add(record)
    session.flush()
    return record


def key_figures(summary: Summary) -> dict[str, Any]:
    """A few headline figures of a summary, for the trend across periods."""
    wanted = ("households_registered", "households_housed", "households_waiting", "placements")
    found: dict[str, Any] = {}
    for items in (summary.figures or {}).get("sections", {}).values():
        for figure in items:
            if figure["id"] in wanted:
                found[figure["id"]] = figure["value"]
            if figure["id"] == "barriers_by_category_stage":
                found["barriers"] = figure["total"]
    return found
