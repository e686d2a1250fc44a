"""Admin pages for organisations: the agency and its partners."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, QueryParameter
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler
from sqlmodel import Session

from agency.enums import OrganisationKind
from agency.errors import DomainError
from agency.services.admin import create_organisation, organisations_query
from web.deps import commit
from web.forms import Form, FormField, FormResult
from web.guards import ADMIN
from web.pagination import BadPage, paginate, parse_page
from web.render import page, request_language, see_other, t

FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]

KIND_LABELS: dict[str, str] = {
    OrganisationKind.agency: "Agency",
    OrganisationKind.ngo: "NGO",
    OrganisationKind.municipality: "Municipality",
    OrganisationKind.region: "Region",
    OrganisationKind.other: "Other",
}
ORGANISATION_FORM = Form(
    FormField("name", "Name", max_length=200),
    FormField("kind", "Kind", kind="choice", choices=tuple(KIND_LABELS.items())),
)


class OrganisationsController(Controller):
    path = "/admin/organisations"

    @get("/", guards=[ADMIN], sync_to_thread=True)
    def organisation_list(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Session],
        page_number: Annotated[str | None, QueryParameter(name="page")] = None,
    ) -> Template:
        try:
            number = parse_page(page_number)
        except BadPage:
            message = t(request, "The page number must be a whole number from 1.")
            return page(request, "admin/organisations.html", 400, error=message, rows=[])
        found = paginate(db, organisations_query(), page=number)
        return page(
            request,
            "admin/organisations.html",
            rows=found.items,
            pagination=found.pagination,
            kinds=KIND_LABELS,
        )

    @get("/new", guards=[ADMIN], sync_to_thread=False)
    def new_organisation_form(self, request: Request[Any, Any, Any]) -> Template:
        return _organisation_page(request, ORGANISATION_FORM.blank())

    @post("/new", guards=[ADMIN], status_code=303, sync_to_thread=True)
    def new_organisation(
        self, request: Request[Any, Any, Any], db: NamedDependency[Session], data: FormData
    ) -> Template | Redirect:
        result = ORGANISATION_FORM.parse(data, request_language(request))
        if result.ok:
            try:
                create_organisation(
                    db, name=result.values["name"], kind=OrganisationKind(result.values["kind"])
                )
            except DomainError as exc:
                result.add_error(exc.field or "name", t(request, exc.message))
            else:
                commit(db)
                return see_other("/admin/organisations")
        return _organisation_page(request, result, 400)


def _organisation_page(
    request: Request[Any, Any, Any], form: FormResult, status: int = 200
) -> Template:
    return page(
        request,
        "admin/organisation_new.html",
        status,
        form=form,
        form_fields=ORGANISATION_FORM.fields,
    )


ROUTES: list[ControllerRouterHandler] = [OrganisationsController]
