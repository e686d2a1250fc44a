"""Social workers' pages for households: the list, registration and changes.

The detail page, closing and barriers are in `households_detail`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery, QueryParameter
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler
from sqlmodel import Session

from agency.enums import EthosCategory, HouseholdStatus
from agency.errors import Conflict, InvalidInput
from agency.models import User
from agency.models.base import utcnow
from agency.services.gazetteer import list_orps
from agency.services.household_queries import (
    HouseholdFilters,
    count_households,
    households_query,
    load_household,
)
from agency.services.households import (
    list_workers,
    register_household,
    require_not_pseudonymised,
    update_household,
)
from web.deps import commit
from web.forms import Form
from web.guards import SOCIAL
from web.i18n import LOCAL_TZ
from web.pages import households_detail
from web.pages.households_form import (
    AREA_FIELDS,
    CONSENT_FIELDS,
    ETHOS_LABELS,
    MEMBER_ROWS,
    MONEY_FIELDS,
    NEEDS_FIELDS,
    PERSON_FIELDS,
    SITUATION_FIELDS,
    URGENCY_LABELS,
    Parsed,
    calculator_only,
    consent_input,
    household_form,
    household_input,
    initial_values,
    parse_household,
)
from web.pages.households_labels import STATUS_LABELS, translated
from web.pages.staff_common import MAX_SEARCH, RecordId, acting_user
from web.pagination import BadPage, paginate, parse_page
from web.render import page, see_other, t

FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
DEFAULT_SCOPE = (
    "Processing of the household's personal data to arrange housing and for social work."
)


def _int(raw: str, low: int, high: int) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) <= 9 and low <= int(raw) <= high else None


def parse_filters(raw: Mapping[str, str | None]) -> tuple[HouseholdFilters, int, list[str]]:
    """Filters and page number from the query string, and message ids for bad values."""
    text = {key: (value or "").strip() for key, value in raw.items()}
    errors: list[str] = []
    checks: tuple[tuple[str, Callable[[str], bool], str], ...] = (
        ("status", lambda v: v in STATUS_LABELS, "Unknown status."),
        ("urgency", lambda v: _int(v, 1, 5) is not None, "Urgency is from 1 to 5."),
        ("orp", lambda v: _int(v, 1, 10**9) is not None, "The ORP code must be a number."),
        ("ethos", lambda v: v in ETHOS_LABELS, "Unknown housing situation."),
        ("q", lambda v: len(v) <= MAX_SEARCH, "The search text is too long."),
    )
    for key, ok, message in checks:
        if text.get(key) and not ok(text[key]):
            errors.append(message)
            text[key] = ""
    try:
        number = parse_page(text.get("page"))
    except BadPage:
        number = 1
        errors.append("The page number must be a whole number from 1.")
    filters = HouseholdFilters(
        text=text.get("q") or None,
        status=HouseholdStatus(text["status"]) if text.get("status") else None,
        urgency=int(text["urgency"]) if text.get("urgency") else None,
        orp_code=int(text["orp"]) if text.get("orp") else None,
        ethos_category=EthosCategory(text["ethos"]) if text.get("ethos") else None,
    )
    return filters, number, errors


def list_page(
    request: Request[Any, Any, Any], db: Session, raw: Mapping[str, str | None]
) -> Template:
    """The households the user works with, filtered; one page query and the total (kept per
    organisation and status, else one COUNT)."""
    user = acting_user(request, db)
    filters, number, errors = parse_filters(raw)
    chosen = {
        k: (v or "").strip()[:MAX_SEARCH] for k, v in raw.items() if k != "page" and v and v.strip()
    }
    linked = {k: v for k, v in chosen.items() if k != "q"}  # names never go into URLs
    context: dict[str, Any] = {
        "chosen": chosen,
        "statuses": STATUS_LABELS,
        "ethos_labels": ETHOS_LABELS,
        "urgencies": URGENCY_LABELS,
        "orps": list_orps(db),
        "base_query": urlencode(linked) + "&" if linked else "",
        "today": utcnow().astimezone(LOCAL_TZ).date(),
    }
    if errors:
        messages = [t(request, message) for message in errors]
        return page(request, "households/list.html", 400, errors=messages, rows=[], **context)
    total = count_households(db, user, filters)
    found = paginate(db, households_query(user, filters), page=number, total=total)
    return page(
        request, "households/list.html", rows=found.items, pagination=found.pagination, **context
    )


class HouseholdListController(Controller):
    """The list: filters in the query string; a search by name is POSTed so that the name
    never appears in a URL (browser history, server logs)."""

    path = "/households"

    @get("/", guards=[SOCIAL], sync_to_thread=True)
    def household_list(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Session],
        status: FromQuery[str | None] = None,
        urgency: FromQuery[str | None] = None,
        orp: FromQuery[str | None] = None,
        ethos: FromQuery[str | None] = None,
        page_number: Annotated[str | None, QueryParameter(name="page")] = None,
    ) -> Template:
        raw = {"status": status, "urgency": urgency, "orp": orp, "ethos": ethos}
        return list_page(request, db, raw | {"page": page_number})

    @post("/", guards=[SOCIAL], status_code=200, sync_to_thread=True)
    def household_search(
        self, request: Request[Any, Any, Any], db: NamedDependency[Session], data: FormData
    ) -> Template:
        keys = ("status", "urgency", "orp", "ethos", "q", "page")
        return list_page(request, db, {k: _first(data.get(k)) for k in keys})


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return None if value is None else str(value)


def _workers(db: Session, user: User, current_id: int | None = None) -> list[User]:
    """Who may be assigned: the organisation's social workers, the user, the current one."""
    workers = list(list_workers(db, organisation_id=user.organisation_id))
    extra: list[User | None] = [user, db.get(User, current_id) if current_id else None]
    for person in extra:
        if person is not None and all(w.id != person.id for w in workers):
            workers.insert(0, person)
    return workers


def form_page(
    request: Request[Any, Any, Any],
    parsed: Parsed,
    form: Form,
    *,
    action: str,
    status: int = 200,
    household_id: int | None = None,
    problem: str | None = None,
) -> Template:
    return page(
        request,
        "households/form.html",
        status,
        form=parsed.form,
        spec={f.name: f for f in form.fields},
        parsed=parsed,
        member_rows=range(1, MEMBER_ROWS + 1),
        sections={
            "consent": CONSENT_FIELDS if "consent_given" in form.by_name else (),
            "person": PERSON_FIELDS,
            "money": MONEY_FIELDS,
            "area": AREA_FIELDS,
            "needs": NEEDS_FIELDS,
            "situation": SITUATION_FIELDS,
        },
        action=action,
        household_id=household_id,
        problem=problem,
    )


def _service_error(request: Request[Any, Any, Any], parsed: Parsed, exc: InvalidInput) -> None:
    """A rule the service refused, shown at its field."""
    aliases = {"members": "member_kind_1", "orps": "orps"}
    name = aliases.get(exc.field or "", exc.field or "reference_name")
    if name not in parsed.form.raw:
        name = "reference_name"
    parsed.form.add_error(name, t(request, exc.message))


class NewHouseholdController(Controller):
    """Registering a household (GET and POST on one path, see staff_vetting)."""

    path = "/households/new"

    @get("/", guards=[SOCIAL], sync_to_thread=True)
    def new_form(self, request: Request[Any, Any, Any], db: NamedDependency[Session]) -> Template:
        user = acting_user(request, db)
        form = household_form(_workers(db, user), new=True)
        today = utcnow().astimezone(LOCAL_TZ).date()
        initial = {
            "consent_on": today,
            "consent_scope": t(request, DEFAULT_SCOPE),
            "social_worker_id": str(user.id),
            "member_kind_1": "adult",
            "min_rooms": 1,
            "urgency": "3",
        }
        return form_page(request, Parsed(form=form.blank(initial)), form, action="/households/new")

    @post("/", guards=[SOCIAL], status_code=303, sync_to_thread=True)
    def create(
        self, request: Request[Any, Any, Any], db: NamedDependency[Session], data: FormData
    ) -> Template | Redirect:
        user = acting_user(request, db)
        form = household_form(_workers(db, user), new=True)
        parsed = parse_household(request, db, form, data)
        if data.get("action") == "calculate":
            calculator_only(parsed)
            return form_page(request, parsed, form, action="/households/new")
        if parsed.form.ok:
            today = utcnow().astimezone(LOCAL_TZ).date()
            try:
                household = register_household(
                    db,
                    actor=user,
                    data=household_input(parsed, int(user.id or 0)),
                    consent=consent_input(parsed),
                    today=today,
                )
            except InvalidInput as exc:
                db.rollback()
                _service_error(request, parsed, exc)
            else:
                commit(db)
                return see_other(f"/households/{household.id}")
        return form_page(request, parsed, form, action="/households/new", status=400)


class EditHouseholdController(Controller):
    """Changing a household's details; its status changes elsewhere."""

    path = "/households/{household_id:int}/edit"

    @get("/", guards=[SOCIAL], sync_to_thread=True)
    def edit_form(
        self, request: Request[Any, Any, Any], db: NamedDependency[Session], household_id: RecordId
    ) -> Template:
        user = acting_user(request, db)
        detail = translated(
            request, lambda: load_household(db, actor=user, household_id=household_id)
        )
        household = detail.household
        translated(request, lambda: require_not_pseudonymised(household))
        form = household_form(_workers(db, user, household.social_worker_id), new=False)
        values = initial_values(household, detail.members, detail.areas, detail.anchor)
        return self._page(
            request, Parsed(form=form.blank(values)), form, household.id, household.status
        )

    @post("/", guards=[SOCIAL], status_code=303, sync_to_thread=True)
    def save(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Session],
        household_id: RecordId,
        data: FormData,
    ) -> Template | Redirect:
        user = acting_user(request, db)
        detail = translated(
            request, lambda: load_household(db, actor=user, household_id=household_id)
        )
        household = detail.household
        translated(request, lambda: require_not_pseudonymised(household))
        form = household_form(_workers(db, user, household.social_worker_id), new=False)
        parsed = parse_household(request, db, form, data)
        if data.get("action") == "calculate":
            calculator_only(parsed)
            return self._page(request, parsed, form, household_id, household.status)
        if parsed.form.ok and household.status != HouseholdStatus.closed:
            try:
                update_household(
                    db,
                    actor=user,
                    household_id=household_id,
                    data=household_input(parsed, household.social_worker_id),
                )
            except InvalidInput as exc:
                db.rollback()
                _service_error(request, parsed, exc)
            except Conflict:
                db.rollback()
            else:
                commit(db)
                return see_other(f"/households/{household_id}")
        return self._page(request, parsed, form, household_id, household.status, 400)

    @staticmethod
    def _page(
        request: Request[Any, Any, Any],
        parsed: Parsed,
        form: Form,
        household_id: int | None,
        status: str,
        code: int = 200,
    ) -> Template:
        problem = None
        if status == HouseholdStatus.closed:
            problem = t(request, "A closed household cannot be changed.")
            code = 409
        action = f"/households/{household_id}/edit"
        return form_page(
            request,
            parsed,
            form,
            action=action,
            status=code,
            household_id=household_id,
            problem=problem,
        )


ROUTES: list[ControllerRouterHandler] = [
    HouseholdListController,
    NewHouseholdController,
    EditHouseholdController,
    *households_detail.ROUTES,
]
