"""The Litestar application: wiring of settings, database sessions, pages and API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from litestar import Litestar, get
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.logging import LoggingConfig
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template.config import TemplateConfig
from sqlalchemy.engine import Engine
from sqlmodel import Session

from agency.db import make_engine, metadata
from agency.reference import GAZETTEER_ATTRIBUTION
from web.settings import Settings, load_settings

TEMPLATES = Path(__file__).parent / "templates"

COUNTED_TABLES: tuple[tuple[str, str], ...] = (
    ("landlord", "Pronajímatelé"),
    ("flat", "Byty"),
    ("household", "Domácnosti"),
    ("placement_match", "Návrhy umístění"),
    ("lease", "Nájemní smlouvy"),
    ("rent_payment", "Platby nájemného"),
    ("support_visit", "Návštěvy podpory"),
    ("barrier", "Bariéry"),
    ("municipality", "Obce v číselníku"),
)


async def provide_session(state: State) -> AsyncIterator[Session]:
    """One session per request, closed on the event loop (see STACK-NOTES: no sync cleanup)."""
    session = Session(state.engine, expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()


def record_counts(session: Session) -> list[tuple[str, int]]:
    tables = metadata().tables
    counts = []
    for name, label in COUNTED_TABLES:
        total = session.execute(sa.select(sa.func.count()).select_from(tables[name])).scalar_one()
        counts.append((label, int(total)))
    return counts


@get("/", sync_to_thread=True)
def home(db: NamedDependency[Session]) -> Template:
    return Template(
        template_name="home.html",
        context={"counts": record_counts(db), "attribution": GAZETTEER_ATTRIBUTION},
    )


@get("/health", sync_to_thread=False)
def health() -> dict[str, str]:
    return {"status": "ok"}


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> Litestar:
    """The app for `settings` (read from the environment when not given)."""
    settings = settings or load_settings()
    engine = engine or make_engine(settings.database_url)
    state: dict[str, Any] = {"engine": engine, "settings": settings}
    return Litestar(
        route_handlers=[home, health],
        dependencies={"db": provide_session},
        state=State(state),
        template_config=TemplateConfig(directory=TEMPLATES, engine=JinjaTemplateEngine),
        logging_config=LoggingConfig(log_exceptions="always"),
        debug=settings.debug,
    )
