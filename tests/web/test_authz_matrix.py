"""Who may call what: every route of the app, every role, one expected outcome each.

A route missing from EXPECTED fails `test_every_route_is_in_the_matrix`, so no route is
added without deciding who may use it. Outcomes: a status code; LOGIN (303 to /login, the
anonymous answer of HTML pages); RAN (the guard let the request through to the handler:
not 401, 403 or a login redirect, and no 500), used for other areas' actions whose
answer to this test's minimal input is their own tests' business.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from agency.db import session_scope
from agency.enums import BarrierSource, BarrierStage, FlatStatus, MatchingScope, UserRole
from agency.models import Match, MatchingRun, User
from agency.services.barriers import record_barrier
from notifications.models import Notification, OutboxMessage
from notifications.service import notify
from tests.factories import Factory
from tests.webutil import csrf_from, login

ROLES = ("anonymous", "landlord", "social_worker", "staff", "platform_member", "admin")
LOGIN = "login"
RAN = "ran"
SKIPPED_PREFIXES = ("/static", "/schema")
NO_SUCH_ID = 2**31 - 1


@dataclass(frozen=True)
class Ids:
    """Records the paths point at, created by `make_records`."""

    own_flat: int  # the landlord user's flat (submitted)
    own_flat_to_withdraw: int
    other_flat: int  # another landlord's flat
    vetting_flat: int
    landlord: int
    target_user: int  # an account the admin deactivates and activates
    household: int
    barrier: int
    match: int
    run: int
    outbox: int
    notification: int


@dataclass(frozen=True)
class Case:
    path: str
    expect: dict[str, Any]
    form: dict[str, Any] | None = None  # sent url-encoded with a valid CSRF token
    json: Any = None
    optional: bool = False  # a route of an area still being built: may be absent
    last: bool = False  # changes the session (log out): run after the others
    extra: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


def only(*roles: str, ok: Any = 200, api: bool = False) -> dict[str, Any]:
    """`ok` for `roles`, 401/LOGIN for anonymous, 403 for the other roles."""
    expect: dict[str, Any] = {role: 403 for role in ROLES}
    expect["anonymous"] = 401 if api else LOGIN
    expect.update({role: ok for role in roles})
    return expect


def everyone(ok: Any) -> dict[str, Any]:
    return {role: ok for role in ROLES}


def users_too(ok: Any) -> dict[str, Any]:
    """Every logged-in role gets `ok`; anonymous goes to the login page."""
    return everyone(ok) | {"anonymous": LOGIN}


STAFF = ("staff", "admin")
SOCIAL = ("social_worker", "staff", "admin")
INSIDERS = ("social_worker", "staff", "platform_member", "admin")


def expected(ids: Ids) -> dict[tuple[str, str], Case]:
    """The matrix: (method, route path) → what to send and what each role gets."""
    flat, own, other = ids.vetting_flat, ids.own_flat, ids.other_flat
    h, m = ids.household, ids.match
    return {
        # Public pages and the account.
        ("GET", "/"): Case("/", everyone(200)),
        ("GET", "/health"): Case("/health", everyone(200)),
        ("GET", "/login"): Case("/login", everyone(200)),
        ("POST", "/login"): Case("/login", everyone(400), form={}),
        ("POST", "/logout"): Case("/logout", everyone(303), form={}, last=True),
        ("GET", "/auth/link"): Case("/auth/link?token=forged", everyone(400)),
        ("GET", "/lang/{code:str}"): Case("/lang/en?next=/", everyone(303), last=True),
        # The landlord's side (public offer form, portal).
        ("GET", "/offer"): Case("/offer", everyone(200), optional=True),
        ("POST", "/offer"): Case("/offer", everyone(RAN), form={}, optional=True),
        ("GET", "/offer/thanks"): Case("/offer/thanks", everyone(RAN), optional=True),
        ("POST", "/login/link"): Case("/login/link", everyone(RAN), form={}, optional=True),
        ("GET", "/portal"): Case("/portal", only("landlord"), optional=True),
        ("GET", "/portal/flats/{flat_id:int}"): Case(
            f"/portal/flats/{own}",
            only("landlord"),
            optional=True,
            extra=[(f"/portal/flats/{other}", only("landlord", ok=404))],
        ),
        ("GET", "/portal/flats/{flat_id:int}/edit"): Case(
            f"/portal/flats/{own}/edit",
            only("landlord"),
            optional=True,
            extra=[(f"/portal/flats/{other}/edit", only("landlord", ok=404))],
        ),
        ("POST", "/portal/flats/{flat_id:int}/edit"): Case(
            f"/portal/flats/{other}/edit", only("landlord", ok=404), form={}, optional=True
        ),
        ("GET", "/portal/flats/{flat_id:int}/withdraw"): Case(
            f"/portal/flats/{own}/withdraw",
            only("landlord"),
            optional=True,
            extra=[(f"/portal/flats/{other}/withdraw", only("landlord", ok=404))],
        ),
        ("POST", "/portal/flats/{flat_id:int}/withdraw"): Case(
            f"/portal/flats/{ids.own_flat_to_withdraw}/withdraw",
            only("landlord", ok=RAN),
            form={},
            optional=True,
            extra=[(f"/portal/flats/{other}/withdraw", only("landlord", ok=404))],
        ),
        # Photos of flats: the landlord's own flat, staff, and the guarded file route.
        ("GET", "/portal/flats/{flat_id:int}/photos"): Case(
            f"/portal/flats/{own}/photos",
            only("landlord"),
            extra=[(f"/portal/flats/{other}/photos", only("landlord", ok=404))],
        ),
        ("POST", "/portal/flats/{flat_id:int}/photos"): Case(
            f"/portal/flats/{own}/photos",
            only("landlord", ok=400),
            form={},
            extra=[(f"/portal/flats/{other}/photos", only("landlord", ok=404))],
        ),
        ("POST", "/portal/flats/{flat_id:int}/photos/{photo_id:int}/delete"): Case(
            f"/portal/flats/{other}/photos/{NO_SUCH_ID}/delete", only("landlord", ok=404), form={}
        ),
        ("GET", "/staff/flats/{flat_id:int}/photos"): Case(
            f"/staff/flats/{flat}/photos", only(*STAFF)
        ),
        ("GET", "/photos/{photo_id:int}"): Case(
            f"/photos/{NO_SUCH_ID}", only("landlord", *STAFF, ok=404)
        ),
        ("GET", "/portal/offers/{match_id:int}"): Case(
            f"/portal/offers/{m}", only("landlord", ok=404), optional=True
        ),
        ("POST", "/portal/offers/{match_id:int}/answer"): Case(
            f"/portal/offers/{m}/answer", only("landlord", ok=404), form={}, optional=True
        ),
        # Staff: dashboard, flats, vetting.
        ("GET", "/dashboard"): Case("/dashboard", only(*INSIDERS)),
        ("GET", "/staff/flats"): Case("/staff/flats", only(*STAFF)),
        ("GET", "/staff/flats/{flat_id:int}"): Case(f"/staff/flats/{flat}", only(*STAFF)),
        ("GET", "/staff/flats/{flat_id:int}/vetting"): Case(
            f"/staff/flats/{flat}/vetting", only(*STAFF)
        ),
        ("POST", "/staff/flats/{flat_id:int}/vetting"): Case(
            f"/staff/flats/{flat}/vetting", only(*STAFF, ok=400), form={}
        ),
        ("POST", "/staff/flats/{flat_id:int}/start-vetting"): Case(
            f"/staff/flats/{flat}/start-vetting", only(*STAFF, ok=303), form={}
        ),
        # Admin.
        ("GET", "/admin/users"): Case("/admin/users", only("admin")),
        ("GET", "/admin/users/new"): Case("/admin/users/new", only("admin")),
        ("POST", "/admin/users/new"): Case("/admin/users/new", only("admin", ok=400), form={}),
        ("POST", "/admin/users/{user_id:int}/deactivate"): Case(
            f"/admin/users/{ids.target_user}/deactivate", only("admin", ok=303), form={}
        ),
        ("POST", "/admin/users/{user_id:int}/activate"): Case(
            f"/admin/users/{ids.target_user}/activate", only("admin", ok=303), form={}
        ),
        ("GET", "/admin/organisations"): Case("/admin/organisations", only("admin")),
        ("GET", "/admin/organisations/new"): Case("/admin/organisations/new", only("admin")),
        ("POST", "/admin/organisations/new"): Case(
            "/admin/organisations/new", only("admin", ok=400), form={}
        ),
        ("GET", "/admin/mail"): Case("/admin/mail", only("admin", ok=RAN), optional=True),
        ("GET", "/admin/mail/{name:str}"): Case(
            "/admin/mail/no-such-message.eml", only("admin", ok=404), optional=True
        ),
        ("POST", "/admin/mail/retry/{outbox_id:int}"): Case(
            f"/admin/mail/retry/{ids.outbox}", only("admin", ok=RAN), form={}, optional=True
        ),
        ("POST", "/admin/mail/retry-all"): Case(
            "/admin/mail/retry-all", only("admin", ok=RAN), form={}, optional=True
        ),
        # Everyone's notifications.
        ("GET", "/notifications"): Case("/notifications", users_too(200), optional=True),
        ("POST", "/notifications/{notification_id:int}/read"): Case(
            f"/notifications/{ids.notification}/read", users_too(RAN), form={}, optional=True
        ),
        ("POST", "/notifications/read-all"): Case(
            "/notifications/read-all", users_too(RAN), form={}, optional=True
        ),
        # Social work: households, matching, offers; staff sign-off.
        ("GET", "/households"): Case("/households", only(*SOCIAL)),
        ("POST", "/households"): Case("/households", only(*SOCIAL), form={"q": "x"}),
        ("GET", "/households/new"): Case("/households/new", only(*SOCIAL)),
        ("POST", "/households/new"): Case(
            "/households/new", only(*SOCIAL, ok=RAN), form={}, optional=True
        ),
        ("GET", "/households/{household_id:int}"): Case(
            f"/households/{h}", only(*SOCIAL, ok=RAN), optional=True
        ),
        ("GET", "/households/{household_id:int}/edit"): Case(
            f"/households/{h}/edit", only(*SOCIAL, ok=RAN), optional=True
        ),
        ("POST", "/households/{household_id:int}/edit"): Case(
            f"/households/{h}/edit", only(*SOCIAL, ok=RAN), form={}, optional=True
        ),
        ("POST", "/households/{household_id:int}/queue"): Case(
            f"/households/{h}/queue", only(*SOCIAL, ok=RAN), form={}, optional=True
        ),
        ("POST", "/households/{household_id:int}/close"): Case(
            f"/households/{h}/close", only(*SOCIAL, ok=RAN), form={}, optional=True
        ),
        ("POST", "/households/{household_id:int}/barriers"): Case(
            f"/households/{h}/barriers", only(*SOCIAL, ok=RAN), form={}, optional=True
        ),
        ("POST", "/households/{household_id:int}/barriers/{barrier_id:int}/overcome"): Case(
            f"/households/{h}/barriers/{ids.barrier}/overcome",
            only(*SOCIAL, ok=RAN),
            form={},
            optional=True,
        ),
        ("GET", "/households/{household_id:int}/flats"): Case(
            f"/households/{h}/flats", only(*SOCIAL, ok=RAN), optional=True
        ),
        ("GET", "/matching/runs/new"): Case(
            "/matching/runs/new", only(*SOCIAL, ok=RAN), optional=True
        ),
        ("POST", "/matching/runs/new"): Case(
            "/matching/runs/new", only(*SOCIAL, ok=RAN), form={}, optional=True
        ),
        ("GET", "/matching/runs/{run_id:int}"): Case(
            f"/matching/runs/{ids.run}", only(*SOCIAL, ok=RAN), optional=True
        ),
        ("POST", "/matching/propose"): Case(
            "/matching/propose", only(*SOCIAL, ok=RAN), form={}, optional=True
        ),
        ("GET", "/signoff"): Case("/signoff", only(*STAFF, ok=RAN), optional=True),
        ("GET", "/signoff/{match_id:int}"): Case(
            f"/signoff/{m}", only(*STAFF, ok=RAN), optional=True
        ),
        ("POST", "/signoff/{match_id:int}/approve"): Case(
            f"/signoff/{NO_SUCH_ID}/approve", only(*STAFF, ok=RAN), form={}, optional=True
        ),
        ("POST", "/signoff/{match_id:int}/reject"): Case(
            f"/signoff/{NO_SUCH_ID}/reject", only(*STAFF, ok=RAN), form={}, optional=True
        ),
        ("GET", "/offers"): Case("/offers", only(*SOCIAL, ok=RAN), optional=True),
        ("GET", "/offers/{match_id:int}"): Case(
            f"/offers/{m}", only(*SOCIAL, ok=RAN), optional=True
        ),
        ("POST", "/offers/{match_id:int}/answer"): Case(
            f"/offers/{NO_SUCH_ID}/answer", only(*SOCIAL, ok=RAN), form={}, optional=True
        ),
        ("POST", "/offers/{match_id:int}/withdraw"): Case(
            f"/offers/{NO_SUCH_ID}/withdraw", only(*SOCIAL, ok=RAN), form={}, optional=True
        ),
        # The JSON API.
        ("GET", "/api/v1/flats"): Case("/api/v1/flats", only(*STAFF, api=True)),
        ("POST", "/api/v1/flats"): Case(
            "/api/v1/flats", everyone(400), json={"street": 5}, optional=True
        ),
        ("GET", "/api/v1/municipalities"): Case(
            "/api/v1/municipalities?q=plz", everyone(200), optional=True
        ),
        ("GET", "/api/v1/flats/{flat_id:int}"): Case(
            f"/api/v1/flats/{flat}", only(*STAFF, api=True)
        ),
        ("POST", "/api/v1/flats/{flat_id:int}/vetting"): Case(
            f"/api/v1/flats/{flat}/vetting", only(*STAFF, ok=400, api=True), json={}
        ),
        ("GET", "/api/v1/landlords"): Case("/api/v1/landlords", only(*STAFF, api=True)),
        ("GET", "/api/v1/landlords/{landlord_id:int}"): Case(
            f"/api/v1/landlords/{ids.landlord}", only(*STAFF, api=True)
        ),
        ("GET", "/api/v1/households"): Case(
            "/api/v1/households", only(*SOCIAL, ok=RAN, api=True), optional=True
        ),
        ("POST", "/api/v1/households"): Case(
            "/api/v1/households", only(*SOCIAL, ok=RAN, api=True), json={}, optional=True
        ),
        ("GET", "/api/v1/households/{household_id:int}"): Case(
            f"/api/v1/households/{h}", only(*SOCIAL, ok=RAN, api=True), optional=True
        ),
        ("PUT", "/api/v1/households/{household_id:int}"): Case(
            f"/api/v1/households/{h}", only(*SOCIAL, ok=RAN, api=True), json={}, optional=True
        ),
        ("POST", "/api/v1/matching/runs"): Case(
            "/api/v1/matching/runs", only(*SOCIAL, ok=RAN, api=True), json=[], optional=True
        ),
        ("GET", "/api/v1/matching/runs/{run_id:int}"): Case(
            f"/api/v1/matching/runs/{ids.run}", only(*SOCIAL, ok=RAN, api=True), optional=True
        ),
        ("GET", "/api/v1/matches"): Case(
            "/api/v1/matches", only(*SOCIAL, ok=RAN, api=True), optional=True
        ),
        ("POST", "/api/v1/matches"): Case(
            "/api/v1/matches", only(*SOCIAL, ok=RAN, api=True), json=[], optional=True
        ),
        ("POST", "/api/v1/matches/{match_id:int}/approve"): Case(
            f"/api/v1/matches/{NO_SUCH_ID}/approve",
            only(*STAFF, ok=RAN, api=True),
            json={},
            optional=True,
        ),
        ("POST", "/api/v1/matches/{match_id:int}/reject"): Case(
            f"/api/v1/matches/{NO_SUCH_ID}/reject",
            only(*STAFF, ok=RAN, api=True),
            json=[],
            optional=True,
        ),
        # After the move: leases, rent, visits, the barrier taxonomy (admin).
        **after_move_cases(),
        # The Platform's summaries.
        **summary_cases(),
        # A household's privacy: export and erasure (staff), withdrawal of consent.
        ("POST", "/households/{household_id:int}/export"): Case(
            f"/households/{h}/export", only(*STAFF), form={}
        ),
        ("GET", "/households/{household_id:int}/erase"): Case(
            f"/households/{h}/erase", only(*STAFF)
        ),
        ("POST", "/households/{household_id:int}/erase"): Case(
            f"/households/{h}/erase", only(*STAFF, ok=400), form={}
        ),
        ("POST", "/households/{household_id:int}/consent-withdrawal"): Case(
            f"/households/{h}/consent-withdrawal", only(*SOCIAL, ok=400), form={}
        ),
        ("POST", "/api/v1/households/{household_id:int}/export"): Case(
            f"/api/v1/households/{h}/export", only(*STAFF, api=True)
        ),
    }


def after_move_cases() -> dict[tuple[str, str], Case]:
    """Leases, rent and visits (ids that do not exist: 404 once the guard lets one in)."""
    n, lease = NO_SUCH_ID, "/leases/{lease_id:int}"
    cat, inter = "/admin/barrier-categories", "/admin/interventions"
    cases = {
        ("GET", "/leases"): Case("/leases", only(*SOCIAL)),
        ("GET", lease): Case(f"/leases/{n}", only(*SOCIAL, ok=404)),
        ("POST", f"{lease}/payments"): Case(f"/leases/{n}/payments", only(*STAFF, ok=404), form={}),
        ("POST", f"{lease}/claims"): Case(f"/leases/{n}/claims", only(*STAFF, ok=404), form={}),
        ("POST", f"{lease}/renew"): Case(f"/leases/{n}/renew", only(*STAFF, ok=404), form={}),
        ("GET", f"{lease}/end"): Case(f"/leases/{n}/end", only(*STAFF, ok=404)),
        ("POST", f"{lease}/end"): Case(f"/leases/{n}/end", only(*STAFF, ok=404), form={}),
        ("GET", "/rent/import"): Case("/rent/import", only(*STAFF)),
        ("POST", "/rent/import"): Case("/rent/import", only(*STAFF, ok=400), form={}),
        ("POST", "/rent/import/confirm"): Case(
            "/rent/import/confirm", only(*STAFF, ok=400), form={}
        ),
        ("GET", "/visits"): Case("/visits", only(*SOCIAL)),
        ("GET", "/visits/{visit_id:int}"): Case(f"/visits/{n}", only(*SOCIAL, ok=404)),
        ("POST", "/visits/{visit_id:int}"): Case(f"/visits/{n}", only(*SOCIAL, ok=404), form={}),
        ("GET", "/api/v1/leases"): Case("/api/v1/leases", only(*SOCIAL, api=True)),
        ("GET", "/api/v1/leases/{lease_id:int}"): Case(
            f"/api/v1/leases/{n}", only(*SOCIAL, ok=404, api=True)
        ),
        ("GET", "/api/v1/leases/{lease_id:int}/payments"): Case(
            f"/api/v1/leases/{n}/payments", only(*SOCIAL, ok=404, api=True)
        ),
        ("POST", "/api/v1/leases/{lease_id:int}/payments"): Case(
            f"/api/v1/leases/{n}/payments", only(*STAFF, ok=400, api=True), json={}
        ),
        ("GET", "/api/v1/visits"): Case("/api/v1/visits", only(*SOCIAL, api=True)),
        ("POST", "/api/v1/visits/{visit_id:int}"): Case(
            f"/api/v1/visits/{n}", only(*SOCIAL, ok=400, api=True), json={}
        ),
        ("GET", "/api/v1/barriers"): Case(
            f"/api/v1/barriers?household_id={n}", only(*SOCIAL, ok=404, api=True)
        ),
        ("POST", "/api/v1/barriers"): Case(
            "/api/v1/barriers", only(*SOCIAL, ok=400, api=True), json={}
        ),
        ("POST", "/api/v1/barriers/{barrier_id:int}/overcome"): Case(
            f"/api/v1/barriers/{n}/overcome", only(*SOCIAL, ok=400, api=True), json={}
        ),
    }
    plans = "/admin/support-plans"
    cases[("GET", plans)] = Case(plans, only("admin"))
    cases[("POST", plans)] = Case(plans, only("admin", ok=400), form={})
    for base in (cat, inter):
        cases |= {
            ("GET", base): Case(base, only("admin")),
            ("POST", base): Case(base, only("admin", ok=400), form={}),
            ("POST", base + "/{term_id:int}/rename"): Case(
                f"{base}/{n}/rename", only("admin", ok=400), form={}
            ),
            ("POST", base + "/{term_id:int}/active"): Case(
                f"{base}/{n}/active", only("admin", ok=404), form={}
            ),
        }
    return cases


# --- the Platform's summaries (one block) ---------------------------------------------------
READERS = ("staff", "platform_member", "admin")


def summary_cases() -> dict[tuple[str, str], Case]:
    """Summaries: staff build and publish; platform members and staff read and recommend."""
    one, api = f"/summaries/{NO_SUCH_ID}", f"/api/v1/summaries/{NO_SUCH_ID}"
    rec = f"{one}/recommendations"
    return {
        ("GET", "/summaries"): Case("/summaries", only(*READERS)),
        ("GET", "/summaries/new"): Case("/summaries/new", only(*STAFF)),
        ("POST", "/summaries/new"): Case("/summaries/new", only(*STAFF, ok=400), form={}),
        ("GET", "/summaries/{ref:str}"): Case(
            one, only(*READERS, ok=404), extra=[(f"{one}.csv", only(*READERS, ok=404))]
        ),
        ("POST", "/summaries/{ref:str}/publish"): Case(
            f"{one}/publish", only(*STAFF, ok=404), form={}
        ),
        ("POST", "/summaries/{ref:str}/recommendations"): Case(
            rec, only(*READERS, ok=404), form={}
        ),
        ("POST", "/summaries/{ref:str}/recommendations/{recommendation_id:int}"): Case(
            f"{rec}/1", only(*READERS, ok=404), form={}
        ),
        ("GET", "/api/v1/summaries"): Case("/api/v1/summaries", only(*READERS, api=True)),
        ("GET", "/api/v1/summaries/{summary_id:int}"): Case(api, only(*READERS, ok=404, api=True)),
        ("GET", "/api/v1/summaries/{summary_id:int}/recommendations"): Case(
            f"{api}/recommendations", only(*READERS, ok=404, api=True)
        ),
        ("POST", "/api/v1/summaries/{summary_id:int}/recommendations"): Case(
            f"{api}/recommendations", only(*READERS, ok=404, api=True), json={"text": "x"}
        ),
        ("PUT", "/api/v1/summaries/{summary_id:int}/recommendations/{recommendation_id:int}"): Case(
            f"{api}/recommendations/1",
            only(*READERS, ok=404, api=True),
            json={"status": "adopted"},
        ),
    }


# --- end of the summaries' block ----------------------------------------------------------


def app_routes(app: Litestar) -> Iterator[tuple[str, str]]:
    """(method, path) of every route handler, without static files and the schema."""
    for route in app.routes:
        if route.path.startswith(SKIPPED_PREFIXES):
            continue
        for handler in getattr(route, "route_handlers", []):
            for method in sorted(set(getattr(handler, "http_methods", ())) - {"OPTIONS", "HEAD"}):
                yield method, route.path


def make_records(engine: Engine, users: dict[str, User]) -> Ids:
    with session_scope(engine) as session:
        factory = Factory(session)
        mine, theirs = factory.landlord(), factory.landlord()
        account = session.get(User, users["landlord"].id)
        assert account is not None
        account.landlord_id = mine.id
        flats = [factory.flat(FlatStatus.submitted, landlord_id=mine.id) for _ in range(2)]
        other = factory.flat(FlatStatus.available, landlord_id=theirs.id)
        household = factory.household(social_worker=session.get(User, users["social_worker"].id))
        match = session_add(
            session,
            Match(
                household_id=household.id,
                flat_id=other.id,
                proposed_by_id=users["social_worker"].id,
            ),
        )
        outbox, notification = _outbox_and_notification(session, users["staff"])
        return Ids(
            own_flat=int(flats[0].id or 0),
            own_flat_to_withdraw=int(flats[1].id or 0),
            other_flat=int(other.id or 0),
            vetting_flat=int(factory.flat(FlatStatus.vetting).id or 0),
            landlord=int(mine.id or 0),
            target_user=int(factory.user(UserRole.social_worker).id or 0),
            household=int(household.id or 0),
            barrier=_barrier(session, int(household.id or 0)),
            match=int(match.id or 0),
            run=int(session_add(session, MatchingRun(scope=MatchingScope.all)).id or 0),
            outbox=outbox,
            notification=notification,
        )


def session_add(session: Session, record: Any) -> Any:
    session.add(record)
    session.flush()
    return record


def _barrier(session: Session, household_id: int) -> int:
    barrier = record_barrier(
        session,
        category_code="debts_enforcement",
        stage=BarrierStage.access,
        source=BarrierSource.social_worker,
        observed_on=date(2026, 1, 5),
        household_id=household_id,
    )
    return int(barrier.id or 0)


def _outbox_and_notification(session: Session, user: User) -> tuple[int, int]:
    context = {"address": "Slovanská 1, Plzeň", "days_available": 40, "rent": 9000}
    notify(session, kind="stale_listing", event_key="matrix", recipients=[user], context=context)
    outbox = session.exec(select(OutboxMessage.id)).one()
    notification = session.exec(select(Notification.id)).one()
    return int(outbox or 0), int(notification or 0)


def outcome(response: Any) -> str:
    location = response.headers.get("location", "")
    if response.status_code == 303 and location.startswith("/login"):
        return LOGIN
    return str(response.status_code)


def matches(expected_outcome: Any, response: Any) -> bool:
    got = outcome(response)
    if expected_outcome == RAN:
        return got not in (LOGIN, "401", "403") and response.status_code < 500
    return got == str(expected_outcome)


def send(client: TestClient[Any], method: str, path: str, case: Case, token: str) -> Any:
    if case.json is not None:
        return client.request(method, path, json=case.json, follow_redirects=False)
    if case.form is not None:
        data = case.form | {"_csrf_token": token}
        return client.request(method, path, data=data, follow_redirects=False)
    return client.request(method, path, follow_redirects=False)


def test_every_route_is_in_the_matrix(client: TestClient[Any]) -> None:
    table = expected(Ids(*[NO_SUCH_ID] * 12))
    present = set(app_routes(client.app))
    assert sorted(present - set(table)) == [], "routes without an entry in the matrix"
    stale = {key for key, case in table.items() if not case.optional} - present
    assert sorted(stale) == [], "entries for routes that no longer exist"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_what_the_matrix_says(
    client: TestClient[Any], users: dict[str, User], web_engine: Engine, role: str
) -> None:
    ids = make_records(web_engine, users)
    if role != "anonymous":
        login(client, f"{role}@example.cz")
    token = csrf_from(client.get("/login").text)
    present = set(app_routes(client.app))
    cases = [(key, case) for key, case in expected(ids).items() if key in present]
    wrong: list[str] = []
    for (method, _), case in sorted(cases, key=lambda item: item[1].last):
        for path, expect in [(case.path, case.expect), *case.extra]:
            response = send(client, method, path, case, token)
            if not matches(expect[role], response):
                wrong.append(f"{method} {path}: expected {expect[role]}, got {outcome(response)}")
    assert wrong == []
