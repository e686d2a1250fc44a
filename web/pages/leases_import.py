"""Bank statement import: upload, a preview of every row (matched or why not), then import
the good rows in one transaction."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Template
from litestar.types import ControllerRouterHandler
from sqlmodel import Session

from agency.errors import DomainError
from agency.services.rent import (
    MAX_STATEMENT_BYTES,
    decode_statement,
    import_statement,
    parse_statement,
)
from web.deps import commit
from web.guards import STAFF
from web.pages.staff_common import acting_user
from web.render import page, t

Upload = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]


@get("/rent/import", guards=[STAFF], sync_to_thread=True)
def import_form(request: Request[Any, Any, Any], db: NamedDependency[Session]) -> Template:
    """The upload form for a bank statement (CSV, `;`, UTF-8 or Windows-1250)."""
    acting_user(request, db)
    return page(request, "leases/import.html", error=None)


@post("/rent/import", guards=[STAFF], sync_to_thread=True, status_code=200)
def import_preview(
    request: Request[Any, Any, Any], db: NamedDependency[Session], data: Upload
) -> Template:
    """Every row of the uploaded statement: matched to a lease, or the reason it is not."""
    acting_user(request, db)
    upload = data.get("statement")
    raw = upload.file.read(MAX_STATEMENT_BYTES + 1) if isinstance(upload, UploadFile) else b""
    try:
        text = decode_statement(raw)
    except DomainError as exc:
        return page(request, "leases/import.html", 400, error=t(request, exc.message))
    rows = parse_statement(db, text) if text.strip() else []
    if not rows:
        error = t(request, "Choose a CSV file with at least one payment.")
        return page(request, "leases/import.html", 400, error=error)
    return page(request, "leases/import_preview.html", rows=rows, text=text)


@post("/rent/import/confirm", guards=[STAFF], sync_to_thread=True, status_code=200)
def import_confirm(
    request: Request[Any, Any, Any], db: NamedDependency[Session], data: FormData
) -> Template:
    """Import the good rows (checked again now); bad rows are reported, not imported."""
    user = acting_user(request, db)
    text = str(data.get("text") or "")[:MAX_STATEMENT_BYTES]
    rows = parse_statement(db, text) if text.strip() else []
    if not rows:
        error = t(request, "Choose a CSV file with at least one payment.")
        return page(request, "leases/import.html", 400, error=error)
    imported = import_statement(db, rows=rows, actor_id=user.id)
    commit(db)
    return page(request, "leases/import_done.html", rows=rows, imported=imported)


ROUTES: list[ControllerRouterHandler] = [import_form, import_preview, import_confirm]
