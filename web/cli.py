"""The `agency` command line: database, demo data, users, serving, matching."""

from __future__ import annotations

import os
from datetime import date

import click
import sqlalchemy as sa
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy.engine import Engine

from agency.db import make_engine, session_scope
from agency.enums import OrganisationKind, UserRole
from agency.errors import DomainError
from agency.passwords import make_hasher
from web.settings import Settings, load_settings

console = Console()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Housing-matching service of a social real-estate agency."""
    ctx.obj = load_settings()


def _settings(ctx: click.Context) -> Settings:
    settings: Settings = ctx.find_root().obj
    return settings


@cli.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.pass_context
def db_upgrade(ctx: click.Context) -> None:
    """Create or upgrade the database schema to the newest version."""
    from agency.migrate import upgrade

    settings = _settings(ctx)
    with console.status("Upgrading the database…"):
        upgrade(make_engine(settings.database_url))
    console.print(f"Database at {_safe_url(settings.database_url)} is up to date.")


@db.command("check")
@click.pass_context
def db_check(ctx: click.Context) -> None:
    """Fail when the models and the migrations differ."""
    from agency.migrate import check

    check(make_engine(_settings(ctx).database_url))
    console.print("The models and the migrations agree.")


@cli.group()
def demo() -> None:
    """Demo data."""


@demo.command("load")
@click.option("--only-if-empty", is_flag=True, help="Do not add the demo to other data.")
@click.pass_context
def demo_load(ctx: click.Context, only_if_empty: bool) -> None:
    """Load the demo data set (Plzeňský kraj); loading it twice changes nothing."""
    from agency.demo import load_demo
    from agency.demo.people import ADMIN_EMAIL
    from agency.services.users import find_user

    engine = make_engine(_settings(ctx).database_url)
    with session_scope(engine) as session:
        demo_present = find_user(session, email=ADMIN_EMAIL) is not None
    if only_if_empty and not demo_present and _has_flats(engine):
        console.print("The database holds other data; the demo was not loaded.")
        return
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("Loading the demo", total=None)

        def step(label: str, count: int) -> None:
            progress.update(task, description=f"{label}: {count}", advance=1)

        with session_scope(engine) as session:
            result = load_demo(session, today=date.today(), hasher=make_hasher(), progress=step)
    if not result.loaded:
        console.print("The demo data are loaded already; nothing changed.")
    _print_credentials(result.credentials)


def _has_flats(engine: Engine) -> bool:
    from agency.models import Flat

    with session_scope(engine) as session:
        return bool(session.execute(sa.select(sa.func.count()).select_from(Flat)).scalar_one())


def _print_credentials(credentials: object) -> None:
    table = Table(title="Demo logins")
    for column in ("role", "email", "password"):
        table.add_column(column)
    for item in credentials:  # type: ignore[attr-defined]
        table.add_row(str(item.role), item.email, item.password)
    console.print(table)


@cli.group()
def user() -> None:
    """Users."""


@user.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice([r.value for r in UserRole]), required=True)
@click.option("--organisation", default=None, help="Organisation name; created when missing.")
@click.password_option(
    help="At least 12 characters, not a common password, not containing the email's name part."
)
@click.pass_context
def user_create(
    ctx: click.Context, email: str, name: str, role: str, organisation: str | None, password: str
) -> None:
    """Create a user who can log in."""
    from agency.services.users import create_user, ensure_organisation

    engine = make_engine(_settings(ctx).database_url)
    try:
        with session_scope(engine) as session:
            org_id = None
            if organisation:
                org = ensure_organisation(session, name=organisation, kind=OrganisationKind.ngo)
                org_id = org.id
            created = create_user(
                session,
                hasher=make_hasher(),
                email=email,
                name=name,
                role=UserRole(role),
                password=password,
                organisation_id=org_id,
            )
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    console.print(f"User {created.email} ({created.role}) created.")


@cli.command()
@click.option("--host", default=None, help="Defaults to HOST or 127.0.0.1.")
@click.option("--port", type=int, default=None, help="Defaults to PORT or 8000.")
@click.option("--workers", type=int, default=1, show_default=True)
@click.option(
    "--forwarded-allow-ips",
    default=None,
    help="Behind a proxy: the addresses whose X-Forwarded-* headers are trusted.",
)
@click.option("--log-level", default="info", show_default=True)
@click.pass_context
def serve(
    ctx: click.Context,
    host: str | None,
    port: int | None,
    workers: int,
    forwarded_allow_ips: str | None,
    log_level: str,
) -> None:
    """Serve the web app."""
    from web.serve import serve as run

    settings = _settings(ctx)
    host, port = host or settings.host, port or settings.port
    console.print(f"Serving on http://{host}:{port}")
    proxy = {"proxy_headers": True, "forwarded_allow_ips": forwarded_allow_ips}
    run(
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        server_header=False,
        **(proxy if forwarded_allow_ips else {}),
    )


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _add_scheduler_command() -> None:
    from web.scheduler import scheduler_command

    cli.add_command(scheduler_command)


_add_scheduler_command()


def _add_matching_commands() -> None:
    from matching.cli import match

    cli.add_command(match)


_add_matching_commands()


def main() -> None:
    """Entry point of the `agency` command."""
    os.environ.setdefault("PYTHONUTF8", "1")
    cli()


if __name__ == "__main__":
    main()
