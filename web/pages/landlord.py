"""The public offer form ("Nabídnout byt"), new login links, and the landlord portal."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler
from sqlmodel import Session

from agency.errors import InvalidInput
from agency.models.base import utcnow
from agency.services.flats import submit_flat
from agency.services.landlords import send_login_link
from agency.services.users import TooManySubmissions
from web.deps import commit
from web.forms import EMAIL_RE
from web.pages import landlord_portal
from web.pages.landlord_forms import (
    LINK_KIND,
    NOTES_FIELD,
    OFFER_FORM,
    OFFER_KIND,
    SECTIONS,
    TERMS_FIELD,
    Parsed,
    add_service_error,
    count_submission,
    magic_links,
    parse_flat_form,
    submission,
)
from web.render import page, request_language, see_other, t

TOO_MANY = (
    "Too many submissions from your address or for this email. Try again in %(minutes)s minutes."
)

FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]


def offer_page(request: Request[Any, Any, Any], parsed: Parsed, status: int = 200) -> Template:
    return page(
        request,
        "landlord/offer.html",
        status,
        form=parsed.form,
        sections=SECTIONS,
        notes_field=NOTES_FIELD,
        terms_field=TERMS_FIELD,
        choices=parsed.choices,
        action="/offer",
    )


class OfferController(Controller):
    """Public pages: no guard, on purpose (each route says why)."""

    # Public: anyone may offer a flat, no account needed.
    @get("/offer", sync_to_thread=False)
    def offer_form(self, request: Request[Any, Any, Any]) -> Template:
        initial = {"kind": "person", "language": request_language(request), "min_lease_months": 12}
        return offer_page(request, Parsed(form=OFFER_FORM.blank(initial)))

    # Public: the form's submission.
    @post("/offer", status_code=303, sync_to_thread=True)
    def offer_submit(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Session],
        state: State,
        data: FormData,
    ) -> Template | Redirect:
        parsed = parse_flat_form(request, db, OFFER_FORM, data)
        if not parsed.form.ok:
            return offer_page(request, parsed, 400)
        try:
            count_submission(request, db, state, kind=OFFER_KIND, email=parsed.form.values["email"])
        except TooManySubmissions as exc:
            db.rollback()
            parsed.form.add_error("email", t(request, TOO_MANY, minutes=exc.minutes))
            return offer_page(request, parsed, 429)
        try:
            submit_flat(
                db, submission=submission(parsed.form.values), link=magic_links(state), now=utcnow()
            )
        except InvalidInput as exc:  # the rules were checked above; a race is still possible
            db.rollback()
            add_service_error(request, parsed.form, exc)
            return offer_page(request, parsed, 400)
        commit(db)
        return see_other("/offer/thanks")

    # Public: the confirmation after an offer.
    @get("/offer/thanks", sync_to_thread=False)
    def offer_thanks(self, request: Request[Any, Any, Any]) -> Template:
        return page(request, "landlord/offer_thanks.html")

    # Public: a new login link by email; the answer never tells whether the address is known.
    @post("/login/link", status_code=200, sync_to_thread=True)
    def login_link(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Session],
        state: State,
        data: FormData,
    ) -> Template:
        email = str(data.get("email") or "").strip()
        if EMAIL_RE.match(email) and len(email) <= 254:
            try:
                count_submission(request, db, state, kind=LINK_KIND, email=email)
            except TooManySubmissions as exc:
                db.rollback()
                message = t(request, TOO_MANY, minutes=exc.minutes)
                return page(request, "landlord/link_sent.html", 429, throttled=message)
            send_login_link(db, email=email, link=magic_links(state), now=utcnow())
            commit(db)
        return page(request, "landlord/link_sent.html")


# Controllers, not loose functions: see landlord_portal.ROUTES.
ROUTES: list[ControllerRouterHandler] = [OfferController, *landlord_portal.ROUTES]
