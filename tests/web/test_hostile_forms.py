"""Hostile input on every HTML form, on SQLite and on PostgreSQL.

Every POST page route of the app (from its route table) must have an entry in REACH: who may
use the form, where it posts and which page shows it. The test opens that page, reads the
form's fields from the HTML and posts the form again and again with one field replaced by a
hostile value (100,000 characters, Unicode, NUL and control characters, HTML, -1, 10**30,
1e309, NaN), with every field missing, and with a wrong or missing CSRF token. Each answer
must be a clear one (never a 500); a rejected post must leave every table's row count as it
was (a post without a valid CSRF token even the audit and login logs); an accepted text must be
stored exactly as typed and rendered escaped.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from litestar.testing import TestClient
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, col, select

from agency.db import make_engine, metadata, session_scope
from agency.demo import load_demo
from agency.demo.people import DEMO_PASSWORD
from agency.enums import (
    FlatStatus,
    HouseholdStatus,
    LeaseStatus,
    MatchStatus,
    SummaryScope,
)
from agency.migrate import upgrade
from agency.models import Flat, Household, Lease, Match, User
from agency.passwords import make_hasher
from notifications.models import Notification, OutboxMessage, OutboxStatus
from notifications.service import notify
from tests.conftest import create_pg_database, discard_database, new_database_url
from tests.webutil import csrf_from

# --- hostile values -------------------------------------------------------------------------
SCRIPT = '<script>alert("x")</script><b onmouseover=alert(1)>Ž</b>'
# Combining marks, a right-to-left override, Hebrew, an emoji sequence, zero-width characters.
UNICODE = (
    "Zde\u030cn\u030ck\u00e1 \u202eRTL\u202c \u05e9\u05dc\u05d5\u05dd "
    "👩\u200d👩\u200d👧 a\u200bb\ufeff"
)
TEXTS = {
    "long": "Ř" * 100_000,
    "unicode": UNICODE,
    "nul": "before\x00after",
    "control": "bell\x07 esc\x1b[31m del\x7f",
    "html": SCRIPT,
}
NUMBERS = {"minus": "-1", "huge": str(10**30), "overflow": "1e309", "nan": "NaN"}
HOSTILE = TEXTS | NUMBERS
# The suite posts five of them into every field; HOSTILE_FORMS=full posts all nine
# (`HOSTILE_FORMS=full .venv/bin/pytest tests/web/test_hostile_forms.py`).
SUITE_PROFILE = ("long", "nul", "control", "html", "huge")
if os.environ.get("HOSTILE_FORMS") != "full":
    HOSTILE = {kind: HOSTILE[kind] for kind in SUITE_PROFILE}
STORABLE = ("unicode", "html")  # texts that may be accepted, and then must be stored as typed
NO_SUCH_ID = 2**31 - 1


# --- the demo agency, and what the forms point at -------------------------------------------
@dataclass(frozen=True)
class Demo:
    submitted_flat: int
    vetting_flat: int
    available_flat: int
    household: int
    waiting_household: int
    barrier: int
    proposed_match: int
    approved_match: int
    landlord_flat: int
    landlord_match: int
    lease: int
    visit: int
    user: int
    inactive_user: int
    closed_household: int
    notification: int
    outbox: int
    draft_summary: int
    summary: int
    recommendation: int
    category: int
    intervention: int


@dataclass(frozen=True)
class Reach:
    """How to reach one form: as whom, where it posts, which page shows it."""

    role: str  # a demo login key (see LOGINS) or "anonymous"
    path: str
    page: str
    valid: dict[str, str] = field(default_factory=dict)  # values that make the form pass
    unstored: frozenset[str] = frozenset()  # fields whose accepted text is not kept
    files: frozenset[str] = frozenset()  # file inputs, sent as multipart uploads
    fields: dict[str, str] | None = None  # when the page cannot show the form (its state)


LOGINS = {
    "admin": "admin@demo.example.cz",
    "staff": "staff@demo.example.cz",
    "social": "social@demo.example.cz",
    "platform": "platform@demo.example.cz",
    "landlord": "landlord@demo.example.cz",
}
NOT_STORED = frozenset({"password", "q", "next", "action", "page"})
TODAY = date.today().isoformat()

REACH: dict[str, Callable[[Demo], Reach]] = {
    "/login": lambda d: Reach("anonymous", "/login", "/login", unstored=NOT_STORED | {"email"}),
    "/logout": lambda d: Reach("admin", "/logout", "/dashboard"),
    "/login/link": lambda d: Reach(
        "anonymous", "/login/link", "/login", unstored=frozenset({"email"})
    ),
    "/offer": lambda d: Reach("anonymous", "/offer", "/offer"),
    "/notifications/{notification_id:int}/read": lambda d: Reach(
        "admin", f"/notifications/{d.notification}/read", "/notifications"
    ),
    "/notifications/read-all": lambda d: Reach(
        "admin", "/notifications/read-all", "/notifications"
    ),
    "/admin/mail/retry-all": lambda d: Reach("admin", "/admin/mail/retry-all", "/admin/mail"),
    "/admin/mail/retry/{outbox_id:int}": lambda d: Reach(
        "admin", f"/admin/mail/retry/{d.outbox}", "/admin/mail"
    ),
    "/portal/flats/{flat_id:int}/edit": lambda d: Reach(
        "landlord", f"/portal/flats/{d.landlord_flat}/edit", f"/portal/flats/{d.landlord_flat}/edit"
    ),
    "/portal/flats/{flat_id:int}/withdraw": lambda d: Reach(
        "landlord",
        f"/portal/flats/{d.landlord_flat}/withdraw",
        f"/portal/flats/{d.landlord_flat}/withdraw",
    ),
    "/portal/flats/{flat_id:int}/photos": lambda d: Reach(
        "landlord",
        f"/portal/flats/{d.landlord_flat}/photos",
        f"/portal/flats/{d.landlord_flat}/photos",
        files=frozenset({"photo"}),
    ),
    # The demo has no photos: a photo that does not exist, whose delete form never shows.
    "/portal/flats/{flat_id:int}/photos/{photo_id:int}/delete": lambda d: Reach(
        "landlord",
        f"/portal/flats/{d.landlord_flat}/photos/{NO_SUCH_ID}/delete",
        f"/portal/flats/{d.landlord_flat}/photos",
        fields={},
    ),
    "/portal/offers/{match_id:int}/answer": lambda d: Reach(
        "landlord",
        f"/portal/offers/{d.landlord_match}/answer",
        f"/portal/offers/{d.landlord_match}",
    ),
    "/staff/flats/{flat_id:int}/start-vetting": lambda d: Reach(
        "staff",
        f"/staff/flats/{d.submitted_flat}/start-vetting",
        f"/staff/flats/{d.submitted_flat}/vetting",
    ),
    "/staff/flats/{flat_id:int}/vetting": lambda d: Reach(
        "staff",
        f"/staff/flats/{d.vetting_flat}/vetting",
        f"/staff/flats/{d.vetting_flat}/vetting",
        valid={"inspection_date": TODAY, "decision": "approved", "max_occupants": "3"},
    ),
    "/admin/users/{user_id:int}/activate": lambda d: Reach(
        "admin", f"/admin/users/{d.inactive_user}/activate", "/admin/users"
    ),
    "/admin/users/{user_id:int}/deactivate": lambda d: Reach(
        "admin", f"/admin/users/{d.user}/deactivate", "/admin/users"
    ),
    "/admin/users/new": lambda d: Reach(
        "admin",
        "/admin/users/new",
        "/admin/users/new",
        valid={"email": "new.worker@example.cz", "name": "Nová Pracovnice"},
        unstored=frozenset({"password", "email"}),
    ),
    "/admin/organisations/new": lambda d: Reach(
        "admin", "/admin/organisations/new", "/admin/organisations/new", valid={"name": "Spolek"}
    ),
    "/households": lambda d: Reach("social", "/households", "/households", unstored=NOT_STORED),
    "/households/new": lambda d: Reach("social", "/households/new", "/households/new"),
    "/households/{household_id:int}/edit": lambda d: Reach(
        "admin", f"/households/{d.household}/edit", f"/households/{d.household}/edit"
    ),
    "/households/{household_id:int}/queue": lambda d: Reach(
        "admin", f"/households/{d.household}/queue", f"/households/{d.household}"
    ),
    "/households/{household_id:int}/consent-withdrawal": lambda d: Reach(
        "admin", f"/households/{d.household}/consent-withdrawal", f"/households/{d.household}"
    ),
    "/households/{household_id:int}/erase": lambda d: Reach(
        "admin",
        f"/households/{d.closed_household}/erase",
        f"/households/{d.closed_household}/erase",
    ),
    # No fields: the CSRF checks are what matter (a forged post must not export or audit).
    "/households/{household_id:int}/export": lambda d: Reach(
        "staff", f"/households/{d.household}/export", f"/households/{d.household}"
    ),
    "/households/{household_id:int}/close": lambda d: Reach(
        "admin", f"/households/{d.household}/close", f"/households/{d.household}"
    ),
    "/households/{household_id:int}/barriers": lambda d: Reach(
        "admin", f"/households/{d.household}/barriers", f"/households/{d.household}"
    ),
    "/households/{household_id:int}/barriers/{barrier_id:int}/overcome": lambda d: Reach(
        "admin",
        f"/households/{d.household}/barriers/{d.barrier}/overcome",
        f"/households/{d.household}",
    ),
    "/matching/runs/new": lambda d: Reach("admin", "/matching/runs/new", "/matching/runs/new"),
    # The proposal form shows only next to the flats that fit: post it for any flat.
    "/matching/propose": lambda d: Reach(
        "admin",
        "/matching/propose",
        f"/households/{d.waiting_household}/flats",
        fields={
            "household_id": str(d.waiting_household),
            "flat_id": str(d.available_flat),
            "note": "",
        },
    ),
    "/signoff/{match_id:int}/approve": lambda d: Reach(
        "admin", f"/signoff/{d.proposed_match}/approve", f"/signoff/{d.proposed_match}"
    ),
    "/signoff/{match_id:int}/reject": lambda d: Reach(
        "admin", f"/signoff/{d.proposed_match}/reject", f"/signoff/{d.proposed_match}"
    ),
    "/offers/{match_id:int}/answer": lambda d: Reach(
        "admin", f"/offers/{d.approved_match}/answer", f"/offers/{d.approved_match}"
    ),
    "/offers/{match_id:int}/withdraw": lambda d: Reach(
        "admin", f"/offers/{d.approved_match}/withdraw", f"/offers/{d.approved_match}"
    ),
    "/leases/{lease_id:int}/payments": lambda d: Reach(
        "staff",
        f"/leases/{d.lease}/payments",
        f"/leases/{d.lease}",
        valid={"amount": "1000", "paid_on": TODAY},
    ),
    "/leases/{lease_id:int}/claims": lambda d: Reach(
        "staff", f"/leases/{d.lease}/claims", f"/leases/{d.lease}"
    ),
    "/leases/{lease_id:int}/renew": lambda d: Reach(
        "staff", f"/leases/{d.lease}/renew", f"/leases/{d.lease}"
    ),
    "/leases/{lease_id:int}/end": lambda d: Reach(
        "staff", f"/leases/{d.lease}/end", f"/leases/{d.lease}/end"
    ),
    "/rent/import": lambda d: Reach(
        "staff", "/rent/import", "/rent/import", files=frozenset({"statement"})
    ),
    # The confirmation form appears on the preview of an upload: its one field is the text.
    "/rent/import/confirm": lambda d: Reach(
        "staff", "/rent/import/confirm", "/rent/import", fields={"text": ""}
    ),
    "/visits/{visit_id:int}": lambda d: Reach(
        "admin", f"/visits/{d.visit}", f"/visits/{d.visit}", valid={"done_on": TODAY}
    ),
    "/admin/support-plans": lambda d: Reach(
        "admin", "/admin/support-plans", "/admin/support-plans"
    ),
    "/summaries/new": lambda d: Reach("staff", "/summaries/new", "/summaries/new"),
    "/summaries/{ref:str}/publish": lambda d: Reach(
        "staff", f"/summaries/{d.draft_summary}/publish", f"/summaries/{d.draft_summary}"
    ),
    "/summaries/{ref:str}/recommendations": lambda d: Reach(
        "platform",
        f"/summaries/{d.summary}/recommendations",
        f"/summaries/{d.summary}",
        valid={"text": "More flats"},
    ),
    "/summaries/{ref:str}/recommendations/{recommendation_id:int}": lambda d: Reach(
        "platform",
        f"/summaries/{d.summary}/recommendations/{d.recommendation}",
        f"/summaries/{d.summary}",
    ),
}


def _taxonomy(base: str, term_id: Callable[[Demo], int]) -> None:
    """The admin's add, rename and (de)activate forms of one list of terms."""
    REACH[base] = lambda d: Reach("admin", base, base)
    REACH[base + "/{term_id:int}/rename"] = lambda d: Reach(
        "admin", f"{base}/{term_id(d)}/rename", base
    )
    REACH[base + "/{term_id:int}/active"] = lambda d: Reach(
        "admin", f"{base}/{term_id(d)}/active", base
    )


_taxonomy("/admin/barrier-categories", lambda d: d.category)
_taxonomy("/admin/interventions", lambda d: d.intervention)


# --- the database: the demo agency plus a few records the demo leaves out -------------------
@pytest.fixture(scope="module")
def demo_template(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = new_database_url(backend, tmp_path_factory.mktemp("demo"))
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        load_demo(session, today=date.today(), hasher=make_hasher(cheap=True))
        _add_missing(session)
    engine.dispose()
    yield url
    discard_database(backend, url)


@pytest.fixture
def web_engine(backend: str, demo_template: str, tmp_path: Path) -> Iterator[Engine]:
    """A copy of the demo database for one test (the app's `client` runs on it)."""
    if backend == "postgres":
        url = create_pg_database(template=make_url(demo_template).database)
    else:
        url = f"sqlite:///{tmp_path / f'demo-{uuid.uuid4().hex[:8]}.db'}"
        shutil.copyfile(str(make_url(demo_template).database), str(make_url(url).database))
    engine = make_engine(url)
    yield engine
    engine.dispose()
    discard_database(backend, url)


def _add_missing(session: Session) -> None:
    """A notification and an email for the admin, a draft and a published summary."""
    from agency.services.summaries import add_recommendation, build_summary, publish_summary

    admin = _user(session, "admin")
    _user(session, "ngo2-social").active = False
    _landlord_offer(session)
    context = {"address": "Slovanská 1, Plzeň", "days_available": 40, "rent": 9000}
    notify(session, kind="stale_listing", event_key="hostile", recipients=[admin], context=context)
    now = datetime.now(UTC)
    summaries = [
        build_summary(
            session,
            period_start=date(date.today().year - back, 1, 1),
            period_end=date(date.today().year - back, 12, 31),
            scope=SummaryScope.kraj,
            scope_code="CZ032",
            built_by_id=admin.id,
            now=now,
        )
        for back in (2, 1)
    ]
    published = publish_summary(session, summary_id=int(summaries[1].id or 0), actor=admin, now=now)
    add_recommendation(
        session, summary=published, text="Více bytů", responsible_body=None, actor=admin, now=now
    )
    for message in session.exec(select(OutboxMessage)):
        message.status = OutboxStatus.dead
    session.flush()


def _landlord_offer(session: Session) -> None:
    """An approved proposal for the demo landlord's available flat (the demo has none)."""
    from agency.services.matches import propose_match
    from agency.services.signoff import approve_match

    landlord = _user(session, "landlord")
    flat = _first(
        session,
        select(Flat.id)
        .where(Flat.landlord_id == landlord.landlord_id)
        .where(Flat.status == FlatStatus.available),
    )
    open_matches = select(Match.household_id).where(
        col(Match.status).in_([MatchStatus.proposed, MatchStatus.approved, MatchStatus.accepted])
    )
    household = _first(
        session,
        select(Household.id)
        .where(Household.status == HouseholdStatus.waiting)
        .where(col(Household.id).not_in(open_matches)),
    )
    social = _user(session, "social")
    match = propose_match(
        session, household_id=household, flat_id=flat, proposed_by_id=int(social.id or 0)
    )
    approve_match(
        session,
        match_id=int(match.id or 0),
        reviewer=_user(session, "staff"),
        now=datetime.now(UTC),
    )


def _user(session: Session, key: str) -> User:
    return session.exec(select(User).where(col(User.email) == f"{key}@demo.example.cz")).one()


def _first(session: Session, query: Any) -> int:
    found = session.exec(query.limit(1)).first()
    assert found is not None, f"the demo has no record for {query}"
    return int(found)


def find_demo(engine: Engine) -> Demo:
    from agency.models import (
        Barrier,
        BarrierCategory,
        Intervention,
        Recommendation,
        Summary,
        SupportVisit,
    )

    with Session(engine) as s:
        landlord = _user(s, "landlord")
        household = _first(
            s,
            select(Barrier.household_id)
            .join(Household, col(Household.id) == col(Barrier.household_id))
            .where(col(Household.status) == HouseholdStatus.registered)
            .where(col(Barrier.overcome_on).is_(None)),
        )
        summaries = select(Summary.id).order_by(col(Summary.id))
        return Demo(
            submitted_flat=_first(s, select(Flat.id).where(Flat.status == FlatStatus.submitted)),
            vetting_flat=_first(s, select(Flat.id).where(Flat.status == FlatStatus.vetting)),
            available_flat=_first(s, select(Flat.id).where(Flat.status == FlatStatus.available)),
            household=household,
            waiting_household=_first(
                s, select(Household.id).where(Household.status == HouseholdStatus.waiting)
            ),
            barrier=_first(
                s,
                select(Barrier.id)
                .where(col(Barrier.household_id) == household)
                .where(col(Barrier.overcome_on).is_(None)),
            ),
            proposed_match=_first(s, select(Match.id).where(Match.status == MatchStatus.proposed)),
            approved_match=_first(s, select(Match.id).where(Match.status == MatchStatus.approved)),
            landlord_flat=_first(
                s,
                select(Flat.id)
                .where(Flat.landlord_id == landlord.landlord_id)
                .where(Flat.status == FlatStatus.submitted),
            ),
            landlord_match=_first(
                s,
                select(Match.id)
                .join(Flat, col(Flat.id) == col(Match.flat_id))
                .where(Flat.landlord_id == landlord.landlord_id)
                .where(Match.status == MatchStatus.approved),
            ),
            lease=_first(s, select(Lease.id).where(Lease.status == LeaseStatus.active)),
            visit=_first(s, select(SupportVisit.id).where(col(SupportVisit.done_on).is_(None))),
            user=int(_user(s, "social2").id or 0),
            inactive_user=int(_user(s, "ngo2-social").id or 0),
            closed_household=_first(
                s, select(Household.id).where(Household.status == HouseholdStatus.closed)
            ),
            notification=_first(
                s,
                select(Notification.id)
                .where(Notification.user_id == _user(s, "admin").id)
                .order_by(col(Notification.id)),
            ),
            outbox=_first(s, select(OutboxMessage.id).order_by(col(OutboxMessage.id))),
            draft_summary=_first(s, summaries),
            summary=_first(s, summaries.offset(1)),
            recommendation=_first(s, select(Recommendation.id)),
            category=_first(s, select(BarrierCategory.id)),
            intervention=_first(s, select(Intervention.id)),
        )


# --- reading forms --------------------------------------------------------------------------
class FormReader(HTMLParser):
    """The fields (name → default value) of each POST form on a page, by action."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, dict[str, str]]] = []
        self.kinds: dict[str, str] = {}  # field name → input type (text, hidden, select, ...)
        self._fields: dict[str, str] | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self._fields = {}
            self.forms.append((a.get("action", ""), self._fields))
        if self._fields is None or not (name := a.get("name")):
            if tag == "option" and self._select and self._fields is not None:
                self._option(a)
            return
        self._field(tag, name, a)

    def _field(self, tag: str, name: str, a: dict[str, str]) -> None:
        assert self._fields is not None
        kind = a.get("type", "text").lower() if tag == "input" else tag
        self.kinds.setdefault(name, kind)
        if tag == "input" and kind in ("checkbox", "radio"):
            if "checked" in a or (kind == "radio" and name not in self._fields):
                self._fields[name] = a.get("value", "on")
        elif tag == "input" and kind not in ("submit", "button", "reset", "image"):
            self._fields[name] = a.get("value", "")
        elif tag == "select":
            self._select = name
        elif tag == "textarea":
            self._textarea = name
            self._fields[name] = ""

    def _option(self, a: dict[str, str]) -> None:
        assert self._fields is not None and self._select is not None
        if self._select not in self._fields or "selected" in a:
            self._fields[self._select] = a.get("value", "")

    def handle_data(self, data: str) -> None:
        if self._textarea and self._fields is not None:
            self._fields[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._fields = None


TEXT_KINDS = frozenset({"text", "textarea", "email", "tel", "search", "url"})


def form_fields(html: str, action: str) -> tuple[dict[str, str], frozenset[str]] | None:
    """The fields of the form posting to `action`, and which of them are free text."""
    reader = FormReader()
    reader.feed(html)
    found = [fields for target, fields in reader.forms if target == action]
    if not found:
        return None
    fields = max(found, key=len)
    fields.pop("_csrf_token", None)
    return fields, frozenset(n for n in fields if reader.kinds.get(n) in TEXT_KINDS)


# --- what the database holds ----------------------------------------------------------------
# Written on purpose by refused requests too: who looked at a household, failed logins.
LOGS = frozenset({"audit_log", "login_attempt"})


def row_counts(engine: Engine, logs: bool = False) -> dict[str, int]:
    """Rows per table: without the logs, or (`logs`) of the logs alone."""
    tables = sorted(
        (t for t in metadata().tables.values() if (t.name in LOGS) == logs), key=lambda t: t.name
    )
    counts = [sa.select(sa.func.count()).select_from(t).scalar_subquery() for t in tables]
    with engine.connect() as conn:
        row = conn.execute(sa.select(*counts)).one()
    return {t.name: int(n) for t, n in zip(tables, row, strict=True)}


def _is_text(kind: Any) -> bool:
    inner = getattr(kind, "impl_instance", kind)  # SQLModel's AutoString wraps a String
    return isinstance(inner, sa.String) and not isinstance(inner, sa.Enum)


def stored_anywhere(engine: Engine, text: str) -> bool:
    """Whether some text column of some table holds exactly `text`."""
    with engine.connect() as conn:
        for table in metadata().tables.values():
            columns = [c for c in table.columns if _is_text(c.type)]
            if (
                columns
                and conn.execute(
                    sa.select(sa.literal(1)).where(sa.or_(*(c == text for c in columns))).limit(1)
                ).first()
            ):
                return True
    return False


# --- the test -------------------------------------------------------------------------------
def post_routes(app: Any) -> list[str]:
    """Every POST route of the app that is a page (not the JSON API)."""
    paths = {
        route.path
        for route in app.routes
        for handler in getattr(route, "route_handlers", [])
        if "POST" in getattr(handler, "http_methods", ())
        and not route.path.startswith(("/api/", "/static", "/schema"))
    }
    return sorted(paths)


def _app_routes() -> list[str]:
    from web.app import create_app
    from web.settings import Settings

    return post_routes(create_app(Settings(database_url="sqlite://", secret_key="x")))


ROUTES = _app_routes()
# Known defects in forms of other areas: {route: reason}; strict, so a fix shows up.
XFAIL: dict[str, str] = {}


def _params() -> list[Any]:
    return [
        pytest.param(r, marks=pytest.mark.xfail(strict=True, reason=XFAIL[r])) if r in XFAIL else r
        for r in ROUTES
    ]


def test_every_form_has_a_way_in() -> None:
    assert [path for path in ROUTES if path not in REACH] == [], "forms without a REACH entry"
    assert [path for path in REACH if path not in ROUTES] == [], "REACH entries without a form"


@dataclass
class Outcome:
    problems: list[str] = field(default_factory=list)
    counts: dict[str, int] | None = None  # the row counts after the last refused post

    def check(self, ok: bool, what: str) -> None:
        if not ok:
            self.problems.append(what)


def sign_in(client: TestClient[Any], role: str) -> None:
    if role == "anonymous":
        return
    token = csrf_from(client.get("/login").text)
    data = {"email": LOGINS[role], "password": DEMO_PASSWORD, "_csrf_token": token}
    answer = client.post("/login", data=data, follow_redirects=False)
    assert answer.status_code == 303, answer.text


def send(client: TestClient[Any], reach: Reach, data: dict[str, str]) -> Any:
    if reach.files:
        files = {
            k: ("upload.csv", v.encode(), "text/csv") for k, v in data.items() if k in reach.files
        }
        rest = {k: v for k, v in data.items() if k not in reach.files}
        return client.post(reach.path, data=rest, files=files, follow_redirects=False)
    return client.post(reach.path, data=data, follow_redirects=False)


def attempt(
    client: TestClient[Any],
    engine: Engine,
    reach: Reach,
    data: dict[str, str],
    label: str,
    out: Outcome,
    typed: tuple[str, str] | None = None,
) -> int:
    """Post `data`; the answer must be clear, and nothing half-stored."""
    before = out.counts if out.counts is not None else row_counts(engine)
    out.counts = None
    answer = send(client, reach, data)
    status = answer.status_code
    out.check(status < 500, f"{label}: {status}")
    if status >= 500:
        return status
    out.check(SCRIPT not in answer.text, f"{label}: HTML echoed unescaped")
    if 400 <= status < 500:
        kind = answer.headers.get("content-type", "")
        out.check(kind.startswith("text/html"), f"{label}: {status} answered as {kind}")
    location = answer.headers.get("location", "")
    accepted = status in (302, 303) and not location.startswith("/login")
    if reach.path in ("/login", "/logout"):
        accepted = status == 303
    if not accepted:
        after = row_counts(engine)
        changed = sorted(name for name in after if after[name] != before[name])
        out.check(not changed, f"{label}: rejected ({status}) but rows changed in {changed}")
        out.counts = after
        return status
    if typed is not None:
        name, text = typed
        stored = name in reach.unstored or stored_anywhere(engine, text)
        out.check(stored, f"{label}: accepted but not stored as typed")
        shown = client.get(location).text if location.startswith("/") else ""
        out.check(SCRIPT not in shown, f"{label}: stored HTML rendered unescaped")
    return status


def hostile_posts(
    client: TestClient[Any],
    engine: Engine,
    reach: Reach,
    form: tuple[dict[str, str], frozenset[str]],
    out: Outcome,
) -> None:
    fields, texts = form
    token = csrf_from(client.get(reach.page).text)
    base = fields | reach.valid
    for label, data in (("wrong CSRF", base | {"_csrf_token": "forged"}), ("no CSRF", base)):
        logs = row_counts(engine, logs=True)
        status = attempt(client, engine, reach, dict(data), label, out)
        out.check(status == 403, f"{label}: {status}, not 403")
        # Refused before any handler runs: not even an audit entry or a login attempt.
        out.check(row_counts(engine, logs=True) == logs, f"{label}: wrote to {sorted(LOGS)}")
    attempt(client, engine, reach, {"_csrf_token": token}, "no fields", out)
    for name in base:
        for kind, value in HOSTILE.items():
            data = base | {name: value, "_csrf_token": token}
            typed = (name, value) if kind in STORABLE and name in texts else None
            attempt(client, engine, reach, data, f"{name}={kind}", out, typed)


@pytest.mark.parametrize("route", _params())
def test_hostile_input_never_breaks_a_form(
    client: TestClient[Any], web_engine: Engine, route: str
) -> None:
    if route not in REACH:
        pytest.fail(f"no REACH entry for the form {route}: add one")
    demo = find_demo(web_engine)
    reach = REACH[route](demo)
    sign_in(client, reach.role)
    page = client.get(reach.page)
    assert page.status_code == 200, f"{reach.page}: {page.status_code}"
    if reach.fields is not None:
        form = (reach.fields, frozenset(reach.fields))
    else:
        found = form_fields(page.text, reach.path)
        assert found is not None, f"{reach.page} shows no form posting to {reach.path}"
        form = found
    out = Outcome()
    hostile_posts(client, web_engine, reach, form, out)
    assert not out.problems, "\n".join(out.problems)
