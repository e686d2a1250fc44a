"""The Litestar application: wiring of settings, database, sessions, pages and API."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from litestar import Litestar, Request, Router, get
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.logging import LoggingConfig
from litestar.middleware.session.client_side import CookieBackendConfig
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import ControllerRouterHandler
from sqlalchemy.engine import Engine
from sqlmodel import Session

from agency.db import make_engine, metadata
from agency.passwords import make_hasher
from agency.reference import GAZETTEER_ATTRIBUTION
from web import i18n
from web.api import after_move as api_after_move
from web.api import flats as api_flats
from web.api import households as api_households
from web.api import matching as api_matching
from web.api import offers as api_offers
from web.api import privacy as api_privacy
from web.api import summaries as api_summaries
from web.deps import Runtime, provide_session
from web.errors import EXCEPTION_HANDLERS
from web.pages import admin as admin_pages
from web.pages import households as household_pages
from web.pages import landlord as landlord_pages
from web.pages import landlord_offers as landlord_offer_pages
from web.pages import leases as lease_pages
from web.pages import matching as matching_pages
from web.pages import offers as offer_pages
from web.pages import photos as photo_pages
from web.pages import privacy as privacy_pages
from web.pages import signoff as signoff_pages
from web.pages import staff as staff_pages
from web.pages import summaries as summary_pages
from web.pages import taxonomy as taxonomy_pages
from web.pages import visits as visit_pages
from web.pages.account import AccountController
from web.pages.inbox import InboxController
from web.pages.mail import MailController
from web.render import page
from web.request_db import CloseRequestSession
from web.security import RefuseNul, security_headers_hook
from web.settings import Settings, load_settings

HERE = Path(__file__).parent

COUNTED_TABLES: tuple[tuple[str, str], ...] = (
    ("landlord", "Landlords"),
    ("flat", "Flats"),
    ("household", "Households"),
    ("placement_match", "Placement proposals"),
    ("lease", "Leases"),
    ("rent_payment", "Rent payments"),
    ("support_visit", "Support visits"),
    ("barrier", "Barriers"),
    ("municipality", "Municipalities in the gazetteer"),
)


def record_counts(session: Session) -> list[tuple[str, int]]:
    tables = metadata().tables
    counts = []
    for name, label in COUNTED_TABLES:
        total = session.execute(sa.select(sa.func.count()).select_from(tables[name])).scalar_one()
        counts.append((label, int(total)))
    return counts


@get("/", sync_to_thread=True)
def home(request: Request[Any, Any, Any], db: NamedDependency[Session]) -> Template:
    return page(request, "home.html", counts=record_counts(db), attribution=GAZETTEER_ATTRIBUTION)


@get("/health", sync_to_thread=False)
def health() -> dict[str, str]:
    return {"status": "ok"}


ROUTES: list[ControllerRouterHandler] = [
    home,
    health,
    AccountController,
    InboxController,
    MailController,
    *landlord_pages.ROUTES,
    *staff_pages.ROUTES,
    *admin_pages.ROUTES,
    *household_pages.ROUTES,
    *matching_pages.ROUTES,
    *signoff_pages.ROUTES,
    *offer_pages.ROUTES,
    *landlord_offer_pages.ROUTES,
    *lease_pages.ROUTES,
    *visit_pages.ROUTES,
    *taxonomy_pages.ROUTES,
    *summary_pages.ROUTES,
    *photo_pages.ROUTES,
    *api_offers.ROUTES,
    *api_flats.ROUTES,
    *api_households.ROUTES,
    *api_matching.ROUTES,
    *api_after_move.ROUTES,
    *api_summaries.ROUTES,
    *privacy_pages.ROUTES,
    *api_privacy.ROUTES,
]


def _template_engine(engine: JinjaTemplateEngine) -> None:
    i18n.install(engine.engine)


def _key(secret: str, purpose: str) -> bytes:
    return hashlib.sha256(f"{purpose}:{secret}".encode()).digest()


def create_app(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    hasher: PasswordHasher | None = None,
) -> Litestar:
    """The app for `settings` (read from the environment when not given)."""
    settings = settings or load_settings()
    rt = Runtime(
        settings=settings,
        engine=engine or make_engine(settings.database_url),
        hasher=hasher or make_hasher(),
    )
    secure = settings.secure_cookies
    on_startup, on_shutdown = _in_process_scheduler(settings, rt.engine)
    return Litestar(
        route_handlers=[
            # One router for every page and API handler: Litestar 2.25 wraps a sync handler
            # twice when a second handler joins its path at the app level.
            Router(path="/", route_handlers=ROUTES),
            create_static_files_router(path="/static", directories=[HERE / "static"]),
        ],
        dependencies={"db": provide_session},
        state=State({"runtime": rt}),
        template_config=TemplateConfig(
            directory=HERE / "templates",
            engine=JinjaTemplateEngine,
            engine_callback=_template_engine,
        ),
        middleware=[
            CookieBackendConfig(
                secret=_key(settings.secret_key, "session"),
                secure=secure,
                httponly=True,
                samesite="lax",
                max_age=12 * 3600,
            ).middleware,
            CloseRequestSession,
            RefuseNul(max_body=settings.uploads.max_request_bytes),
        ],
        # Every response, errors and static files included (web/security.py).
        before_send=[security_headers_hook(https=secure)],
        request_max_body_size=settings.uploads.max_request_bytes,
        csrf_config=CSRFConfig(
            secret=_key(settings.secret_key, "csrf").hex(),
            cookie_secure=secure,
            cookie_httponly=True,  # forms carry the token in a hidden field, never read by JS
            cookie_samesite="lax",
            exclude=["/api/"],
        ),
        exception_handlers=EXCEPTION_HANDLERS,
        logging_config=LoggingConfig(log_exceptions="always"),
        debug=settings.debug,
        on_startup=on_startup,
        on_shutdown=on_shutdown,
    )


def _in_process_scheduler(settings: Settings, engine: Engine) -> tuple[list[Any], list[Any]]:
    """The embedded default runs the scheduler in the web process; elsewhere `agency
    scheduler` runs it once for all web workers (never one per worker)."""
    if not (settings.run_scheduler and settings.is_sqlite):
        return [], []
    from web.scheduler import build_job_context, start_in_process, stop

    handles: list[Any] = []

    def start(_: Litestar) -> None:
        handles.append(start_in_process(build_job_context(settings, engine=engine)))

    def shutdown(_: Litestar) -> None:
        while handles:
            stop(handles.pop())

    return [start], [shutdown]
