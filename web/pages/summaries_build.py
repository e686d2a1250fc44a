"""Staff build a draft summary now: period, scope, k and what-if scenarios."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from sqlmodel import Session

from agency.enums import SummaryScope
from agency.errors import Conflict, InvalidInput
from agency.models.base import utcnow
from agency.services.summaries import build_summary, summary_k
from agency.services.summary_whatif import Scenario
from agency.summary_jobs import previous_half_year
from web.deps import commit
from web.forms import Form, FormField, FormResult
from web.guards import STAFF
from web.pages.staff_common import acting_user
from web.render import page, request_language, see_other, t

FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
SCOPES = (
    (SummaryScope.agency.value, "The whole agency"),
    (SummaryScope.kraj.value, "One region"),
    (SummaryScope.orp.value, "One ORP"),
)
ADD_SLOTS = (1, 2)


def _add_fields(n: int) -> tuple[FormField, ...]:
    return (
        FormField(f"add{n}_count", "Flats added", kind="int", required=False, low=1, high=1000),
        FormField(f"add{n}_layout", "Layout (e.g. 3+1)", required=False, max_length=10),
        FormField(f"add{n}_rooms", "Rooms", kind="int", required=False, low=1, high=9),
        FormField(
            f"add{n}_rent", "Rent (CZK a month)", kind="int", required=False, low=1, high=200_000
        ),
        FormField(
            f"add{n}_services",
            "Services (CZK a month)",
            kind="int",
            required=False,
            low=0,
            high=100_000,
        ),
        FormField(f"add{n}_orp", "ORP code", kind="int", required=False, low=1, high=999_999),
    )


def build_form() -> Form:
    return Form(
        FormField("period_start", "Period start", kind="date"),
        FormField("period_end", "Period end", kind="date"),
        FormField("scope", "Scope", kind="choice", choices=SCOPES),
        FormField(
            "scope_code",
            "Region or ORP code",
            required=False,
            max_length=10,
            help="Only for a region (e.g. CZ032) or an ORP (e.g. 3210).",
        ),
        FormField("k", "Smallest count shown (k)", kind="int", low=3, high=100),
        *_add_fields(1),
        *_add_fields(2),
        FormField(
            "budget_percent",
            "Change of budgets in per cent",
            kind="int",
            required=False,
            low=-90,
            high=500,
        ),
    )


def scenarios_of(request: Request[Any, Any, Any], result: FormResult) -> list[Scenario]:
    """The what-if scenarios filled in; an incomplete one marks its first empty field."""
    found: list[Scenario] = []
    values = result.values
    for n in ADD_SLOTS:
        names = [f"add{n}_{p}" for p in ("count", "rooms", "rent", "orp")]
        given = [values.get(name) for name in names]
        if all(v is None for v in given) and not values.get(f"add{n}_layout"):
            continue
        missing = [name for name, v in zip(names, given, strict=True) if v is None]
        if missing:
            result.add_error(missing[0], t(request, "This field is required."))
            continue
        found.append(
            Scenario(
                "add_flats",
                count=values[names[0]],
                rooms=values[names[1]],
                rent=values[names[2]],
                orp=values[names[3]],
                services=values.get(f"add{n}_services") or 0,
                layout=values.get(f"add{n}_layout") or "",
            )
        )
    if values.get("budget_percent"):
        found.append(Scenario("raise_budgets", percent=values["budget_percent"]))
    return found


class BuildController(Controller):
    """The build form and its submission share a path."""

    path = "/summaries/new"
    guards = [STAFF]

    @get("/", sync_to_thread=True)
    def build_page(self, request: Request[Any, Any, Any], db: NamedDependency[Session]) -> Template:
        start, end = previous_half_year(utcnow().date())
        initial = {"period_start": start, "period_end": end, "scope": "agency", "k": summary_k(db)}
        return _page(request, build_form().blank(initial))

    @post("/", status_code=303, sync_to_thread=True)
    def build(
        self, request: Request[Any, Any, Any], db: NamedDependency[Session], data: FormData
    ) -> Template | Redirect:
        user = acting_user(request, db)
        result = build_form().parse(data, request_language(request))
        scenarios = scenarios_of(request, result) if result.ok else []
        if not result.ok:
            return _page(request, result, 400)
        values = result.values
        try:
            summary = build_summary(
                db,
                period_start=values["period_start"],
                period_end=values["period_end"],
                scope=SummaryScope(values["scope"]),
                scope_code=values.get("scope_code") or "",
                k=values["k"],
                scenarios=scenarios,
                built_by_id=user.id,
                now=utcnow(),
            )
        except (InvalidInput, Conflict) as exc:
            result.add_error(exc.field or "period_start", t(request, exc.message))
            return _page(request, result, 409 if isinstance(exc, Conflict) else 400)
        commit(db)
        return see_other(f"/summaries/{summary.id}")


def _page(request: Request[Any, Any, Any], result: FormResult, status: int = 200) -> Template:
    form = build_form()
    return page(
        request,
        "summaries/new.html",
        status,
        form=result,
        main_fields=form.fields[:5],
        add_fields=[_add_fields(n) for n in ADD_SLOTS],
        budget_field=form.by_name["budget_percent"],
        today=date.today(),
    )
