"""The JSON API of the Platform's summaries: list, read (published figures), recommendations.

Platform members see published summaries only; staff also see drafts.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from litestar import Request, get, post, put
from litestar.di import NamedDependency
from litestar.exceptions import (
    NotAuthorizedException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.params import JSONBody
from litestar.types import ControllerRouterHandler
from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlmodel import Session

from agency.enums import RecommendationStatus, SummaryScope, SummaryStatus, UserRole
from agency.models import Recommendation
from agency.models.base import utcnow
from agency.services.summaries import (
    add_recommendation,
    get_summary,
    list_recommendations,
    list_summaries,
    set_recommendation_status,
    summary_title,
)
from web.api.flats import DOMAIN, ApiInput, ConflictError, json_body
from web.deps import commit
from web.guards import requires
from web.pages.staff_common import RecordId, acting_user
from web.pages.summaries_export import summary_document

API = "/api/v1/summaries"
READERS = requires(UserRole.platform_member, UserRole.staff, UserRole.admin)
ERRORS = [NotAuthorizedException, PermissionDeniedException, ValidationException, *DOMAIN]


class SummaryItem(BaseModel):
    id: int
    title: str
    status: SummaryStatus
    period_start: date
    period_end: date
    scope: SummaryScope
    scope_code: str
    k: int
    published_at: datetime | None


class RecommendationCreate(ApiInput):
    model_config = ConfigDict(extra="forbid")

    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
    responsible_body: Annotated[str, StringConstraints(max_length=200)] | None = None


class RecommendationUpdate(ApiInput):
    model_config = ConfigDict(extra="forbid")

    status: RecommendationStatus


class RecommendationRead(BaseModel):
    id: int
    summary_id: int
    text: str
    status: RecommendationStatus
    responsible_body: str | None
    created_at: datetime
    updated_at: datetime | None


def _read(record: Recommendation) -> RecommendationRead:
    return RecommendationRead.model_validate(record, from_attributes=True)


@get(API, guards=[READERS], raises=ERRORS, sync_to_thread=True)
def api_list_summaries(
    request: Request[Any, Any, Any], db: NamedDependency[Session]
) -> list[SummaryItem]:
    """Summaries, newest period first (platform members: the published ones)."""
    items, _ = list_summaries(db, actor=acting_user(request, db), limit=200)
    return [
        SummaryItem(
            id=int(s.id or 0),
            title=summary_title(s),
            status=s.status,
            period_start=s.period_start,
            period_end=s.period_end,
            scope=s.scope,
            scope_code=s.scope_code,
            k=s.k_threshold,
            published_at=s.published_at,
        )
        for s in items
    ]


@get(f"{API}/{{summary_id:int}}", guards=[READERS], raises=ERRORS, sync_to_thread=True)
def api_get_summary(
    request: Request[Any, Any, Any], db: NamedDependency[Session], summary_id: RecordId
) -> dict[str, Any]:
    """One summary's published figures and what-if results (the JSON download)."""
    summary = get_summary(db, summary_id=summary_id, actor=acting_user(request, db))
    return summary_document(summary)


@get(
    f"{API}/{{summary_id:int}}/recommendations",
    guards=[READERS],
    raises=ERRORS,
    sync_to_thread=True,
)
def api_list_recommendations(
    request: Request[Any, Any, Any], db: NamedDependency[Session], summary_id: RecordId
) -> list[RecommendationRead]:
    get_summary(db, summary_id=summary_id, actor=acting_user(request, db))
    return [_read(r) for r in list_recommendations(db, summary_id=summary_id)]


@post(
    f"{API}/{{summary_id:int}}/recommendations",
    guards=[READERS, json_body],
    raises=[*ERRORS, ConflictError],
    sync_to_thread=True,
)
def api_add_recommendation(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    summary_id: RecordId,
    data: JSONBody[RecommendationCreate],
) -> RecommendationRead:
    """Record the Platform's recommendation against a published summary."""
    user = acting_user(request, db)
    summary = get_summary(db, summary_id=summary_id, actor=user)
    record = add_recommendation(
        db,
        summary=summary,
        text=data.text,
        responsible_body=data.responsible_body,
        actor=user,
        now=utcnow(),
    )
    commit(db)
    return _read(record)


@put(
    f"{API}/{{summary_id:int}}/recommendations/{{recommendation_id:int}}",
    guards=[READERS, json_body],
    raises=ERRORS,
    sync_to_thread=True,
)
def api_update_recommendation(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    summary_id: RecordId,
    recommendation_id: RecordId,
    data: JSONBody[RecommendationUpdate],
) -> RecommendationRead:
    """Mark a recommendation proposed, adopted or rejected."""
    summary = get_summary(db, summary_id=summary_id, actor=acting_user(request, db))
    record = set_recommendation_status(
        db,
        summary=summary,
        recommendation_id=recommendation_id,
        status=data.status,
        now=utcnow(),
    )
    commit(db)
    return _read(record)


ROUTES: list[ControllerRouterHandler] = [
    api_list_summaries,
    api_get_summary,
    api_list_recommendations,
    api_add_recommendation,
    api_update_recommendation,
]
