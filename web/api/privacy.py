"""The JSON API for a household's privacy: the export of everything stored about it
(staff and admins; every export is audited)."""

from __future__ import annotations

from typing import Any

from litestar import Request, post
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.types import ControllerRouterHandler
from sqlmodel import Session

from agency.models.base import utcnow
from agency.services.privacy import export_household
from web.deps import commit
from web.guards import STAFF
from web.pages.staff_common import RecordId, acting_user


# POST, not GET: each export is audited in the caller's name, so it must not be something a
# cross-site link can trigger (the Lax session cookie is not sent on a cross-site POST).
@post(
    "/api/v1/households/{household_id:int}/export",
    guards=[STAFF],
    raises=[NotAuthorizedException, PermissionDeniedException, NotFoundException],
    status_code=200,
    sync_to_thread=True,
)
def export_household_data(
    request: Request[Any, Any, Any], db: NamedDependency[Session], household_id: RecordId
) -> dict[str, Any]:
    """Everything stored about one household, table by table, with its audit trail; each
    export is written to the household's audit log."""
    user = acting_user(request, db)
    document = export_household(db, actor=user, household_id=household_id, now=utcnow())
    commit(db)
    return document


ROUTES: list[ControllerRouterHandler] = [export_household_data]
