"""A household's privacy on its page: the data export (staff), erasure by pseudonymisation
(staff, with a reason and a confirmation), and the withdrawal of consent."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import MediaType, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler
from sqlmodel import Session

from agency.errors import Conflict, InvalidInput
from agency.models import User
from agency.models.base import utcnow
from agency.services.households import get_household
from agency.services.privacy import export_household, pseudonymise_household, withdraw_consent
from web.deps import commit
from web.forms import Form, FormField, FormResult
from web.guards import SOCIAL, STAFF
from web.pages.households_detail import CONSENT_FORM, Forms, detail_page, today_here
from web.pages.households_labels import translated
from web.pages.staff_common import RecordId, acting_user
from web.render import page, request_language, see_other

FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]

ERASE_FORM = Form(
    FormField("reason", "Reason of the erasure", kind="textarea", max_length=2000),
    FormField(
        "confirm",
        "I confirm that the personal data are to be erased; this cannot be undone.",
        kind="bool",
        required=False,
    ),
)


def export_filename(household_id: int) -> str:
    return f"household-{household_id}.json"


# A POST behind the CSRF token: a GET would let a link on another site (the Lax session
# cookie goes along with a top-level GET) download the data and audit it in a staff name.
@post("/households/{household_id:int}/export", guards=[STAFF], status_code=200, sync_to_thread=True)
def household_export(
    request: Request[Any, Any, Any], db: NamedDependency[Session], household_id: RecordId
) -> Response[dict[str, Any]]:
    """Everything stored about the household as a JSON download (audited)."""
    user = acting_user(request, db)
    document = translated(
        request,
        lambda: export_household(db, actor=user, household_id=household_id, now=utcnow()),
    )
    commit(db)
    disposition = f'attachment; filename="{export_filename(household_id)}"'
    return Response(
        document, media_type=MediaType.JSON, headers={"Content-Disposition": disposition}
    )


def _erase_page(
    request: Request[Any, Any, Any],
    db: Session,
    user: User,
    household_id: int,
    form: FormResult,
    status: int = 200,
) -> Template:
    household = translated(
        request, lambda: get_household(db, actor=user, household_id=household_id)
    )
    return page(
        request, "privacy/erase.html", status, h=household, form=form, fields=ERASE_FORM.fields
    )


@get("/households/{household_id:int}/erase", guards=[STAFF], sync_to_thread=True)
def erase_form(
    request: Request[Any, Any, Any], db: NamedDependency[Session], household_id: RecordId
) -> Template:
    user = acting_user(request, db)
    return _erase_page(request, db, user, household_id, ERASE_FORM.blank())


@post("/households/{household_id:int}/erase", guards=[STAFF], status_code=303, sync_to_thread=True)
def erase_household(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    household_id: RecordId,
    data: FormData,
) -> Template | Redirect:
    """Pseudonymise the household's personal data after the confirmation."""
    user = acting_user(request, db)
    form = ERASE_FORM.parse(data, request_language(request))
    if form.ok:
        try:
            translated(
                request,
                lambda: pseudonymise_household(
                    db,
                    actor=user,
                    household_id=household_id,
                    reason=form.values["reason"],
                    confirmed=bool(form.values.get("confirm")),
                    now=utcnow(),
                ),
            )
        except (InvalidInput, Conflict) as exc:
            db.rollback()
            form.add_error(exc.field or "reason", exc.message)
        else:
            commit(db)
            return see_other(f"/households/{household_id}")
    return _erase_page(request, db, user, household_id, form, 400)


@post(
    "/households/{household_id:int}/consent-withdrawal",
    guards=[SOCIAL],
    status_code=303,
    sync_to_thread=True,
)
def consent_withdrawal(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    household_id: RecordId,
    data: FormData,
) -> Template | Redirect:
    """Record the date the household withdrew its consent; processing stops from then on."""
    user = acting_user(request, db)
    form = CONSENT_FORM.parse(data, request_language(request))
    if form.ok:
        try:
            translated(
                request,
                lambda: withdraw_consent(
                    db,
                    actor=user,
                    household_id=household_id,
                    on=form.values["withdrawn_on"],
                    today=today_here(),
                    now=utcnow(),
                ),
            )
        except (InvalidInput, Conflict) as exc:
            db.rollback()
            form.add_error(exc.field or "withdrawn_on", exc.message)
        else:
            commit(db)
            return see_other(f"/households/{household_id}#consent")
    return detail_page(request, db, user, household_id, Forms(consent=form), 400)


ROUTES: list[ControllerRouterHandler] = [
    household_export,
    erase_form,
    erase_household,
    consent_withdrawal,
]
