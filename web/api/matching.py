"""The JSON API of matching and placement (session cookie): runs, proposals and sign-off.

The same services as the pages; wire models are separate from the tables.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Request, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.exceptions import (
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.params import JSONBody, QueryParameter
from litestar.types import ControllerRouterHandler
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlmodel import Session

from agency.enums import MatchingScope, MatchStatus
from agency.errors import InvalidInput
from agency.models import Match, MatchingRun
from agency.models.base import utcnow
from agency.services.matches import propose_suggested_match
from agency.services.matching_runs import Scope, check_scope, get_run, run_matching
from agency.services.placement_views import list_matches
from agency.services.signoff import approve_match, reject_match
from web.api.flats import DOMAIN, ApiInput, WholeNumber, json_body
from web.deps import commit, runtime
from web.guards import SOCIAL, STAFF
from web.pages.landlord_forms import magic_links
from web.pages.staff_common import RecordId, acting_user

API = "/api/v1"
ERRORS = [NotAuthorizedException, PermissionDeniedException, ValidationException]


Id = Annotated[WholeNumber, Field(ge=1, le=2**31 - 1)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


class RunCreate(ApiInput):
    """A matching run over a scope; `scope_value` is the ORP code or the region code."""

    model_config = ConfigDict(extra="forbid")

    scope: MatchingScope
    scope_value: Annotated[str, StringConstraints(max_length=10)] | None = None


class RunRead(BaseModel):
    id: int
    run_by_id: int | None
    started_at: datetime
    finished_at: datetime | None
    scope: MatchingScope
    scope_value: str | None
    status: str
    households_count: int
    flats_count: int
    pairs_count: int
    solve_ms: int
    policy: dict[str, Any] | None
    objective: dict[str, Any] | None
    suggestions: list[dict[str, Any]]
    unmatched: list[dict[str, Any]]


def run_read(run: MatchingRun) -> RunRead:
    fields = run.model_dump(exclude={"suggestions", "explanations"})
    unmatched = (run.explanations or {}).get("unmatched") or []
    return RunRead(**fields, suggestions=run.suggestions or [], unmatched=unmatched)


class MatchCreate(ApiInput):
    model_config = ConfigDict(extra="forbid")

    household_id: Id
    flat_id: Id
    run_id: Id | None = None
    note: Note | None = None


class MatchRead(BaseModel):
    id: int
    household_id: int
    flat_id: int
    matching_run_id: int | None
    proposed_by_id: int
    status: MatchStatus
    score: int | None
    score_terms: dict[str, Any] | None
    explanation: dict[str, Any] | None
    note: str | None
    reviewed_by_id: int | None
    reviewed_at: datetime | None
    review_reason: str | None
    offer_expires_at: datetime | None
    landlord_answer: str | None
    household_answer: str | None
    declined_by: str | None
    created_at: datetime


def match_read(match: Match) -> MatchRead:
    return MatchRead.model_validate(match, from_attributes=True)


class MatchPage(BaseModel):
    items: list[MatchRead]
    total: int
    page: int


class RejectBody(ApiInput):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


@post(
    f"{API}/matching/runs",
    guards=[SOCIAL, json_body],
    raises=[*ERRORS, *DOMAIN],
    status_code=201,
    sync_to_thread=True,
)
def create_run(
    request: Request[Any, Any, Any], db: NamedDependency[Session], data: JSONBody[RunCreate]
) -> RunRead:
    """Run the engine over a scope (caseload, orp, kraj, all) and store the run."""
    user = acting_user(request, db)
    scope = check_scope(db, actor=user, scope=Scope(data.scope, data.scope_value))
    if scope.kind == MatchingScope.household:
        raise InvalidInput("Use the household's flat search for one household.", field="scope")
    run = run_matching(
        db, scope=scope.kind, scope_value=scope.value, run_by_id=user.id, now=utcnow()
    )
    commit(db)
    return run_read(run)


@get(
    f"{API}/matching/runs/{{run_id:int}}",
    guards=[SOCIAL],
    raises=[*ERRORS, NotFoundException],
    sync_to_thread=True,
)
def read_run(db: NamedDependency[Session], run_id: RecordId) -> RunRead:
    return run_read(get_run(db, run_id=run_id))


@get(f"{API}/matches", guards=[SOCIAL], raises=ERRORS, sync_to_thread=True)
def read_matches(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    status: Annotated[MatchStatus | None, QueryParameter()] = None,
    page: Annotated[int, QueryParameter(ge=1, le=100_000)] = 1,
) -> MatchPage:
    """Matches of the households the user works with (staff: all), newest first."""
    user = acting_user(request, db)
    found, total = list_matches(db, actor=user, status=status, page=page)
    return MatchPage(items=[match_read(m) for m in found], total=total, page=page)


@post(
    f"{API}/matches",
    guards=[SOCIAL, json_body],
    raises=[*ERRORS, *DOMAIN],
    status_code=201,
    sync_to_thread=True,
)
def create_match(
    request: Request[Any, Any, Any], db: NamedDependency[Session], data: JSONBody[MatchCreate]
) -> MatchRead:
    """Propose a flat for a household; 409 when either is held by another open match."""
    user = acting_user(request, db)
    match = propose_suggested_match(
        db,
        actor=user,
        household_id=data.household_id,
        flat_id=data.flat_id,
        run_id=data.run_id,
        note=data.note,
        now=utcnow(),
    )
    commit(db)
    return match_read(match)


@post(
    f"{API}/matches/{{match_id:int}}/approve",
    guards=[STAFF],
    raises=[*ERRORS, *DOMAIN],
    status_code=200,
    sync_to_thread=True,
)
def approve(
    request: Request[Any, Any, Any], db: NamedDependency[Session], state: State, match_id: RecordId
) -> MatchRead:
    """Sign off a proposal of someone else (403 for one's own: four eyes)."""
    user = acting_user(request, db)
    base_url = runtime(state).settings.base_url
    match = approve_match(
        db,
        match_id=match_id,
        reviewer=user,
        now=utcnow(),
        base_url=base_url,
        landlord_link=lambda landlord_id: magic_links(state)(landlord_id).url,
    )
    commit(db)
    return match_read(match)


@post(
    f"{API}/matches/{{match_id:int}}/reject",
    guards=[STAFF, json_body],
    raises=[*ERRORS, *DOMAIN],
    status_code=200,
    sync_to_thread=True,
)
def reject(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    match_id: RecordId,
    data: JSONBody[RejectBody],
) -> MatchRead:
    user = acting_user(request, db)
    match = reject_match(db, match_id=match_id, reviewer=user, reason=data.reason, now=utcnow())
    commit(db)
    return match_read(match)


ROUTES: list[ControllerRouterHandler] = [
    create_run,
    read_run,
    read_matches,
    create_match,
    approve,
    reject,
]
