"""Places, organisations, users and landlords of the demo."""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from sqlmodel import col, select

from agency.demo.context import DemoContext, Place, at, email_local, phone
from agency.demo.texts import COMPANIES, FEMALE_NAMES, MALE_NAMES, SURNAMES
from agency.enums import LandlordKind, Language, OrganisationKind, UserRole
from agency.models import Landlord, Municipality
from agency.services.users import create_user, ensure_organisation

DEMO_PASSWORD = "demo-heslo-2025"
ADMIN_EMAIL = "admin@demo.example.cz"
AGENCY = "Sociální realitní agentura Plzeň"
NGO_WEST = "Spolek Otevřené dveře, z. s."
NGO_SOUTH = "Centrum sociálních služeb Jih, o. p. s."
REGION = "Plzeňský kraj"

# Towns of Plzeňský kraj (municipality code, post code) that the demo uses.
TOWNS: tuple[tuple[int, str], ...] = (
    (554791, "301 00"),  # Plzeň
    (555771, "339 01"),  # Klatovy
    (559717, "337 01"),  # Rokycany
    (560715, "347 01"),  # Tachov
    (553425, "344 01"),  # Domažlice
    (557153, "342 01"),  # Sušice
    (561215, "349 01"),  # Stříbro
    (559300, "330 23"),  # Nýřany
    (558249, "334 01"),  # Přeštice
    (557676, "334 41"),  # Dobřany
    (553654, "345 62"),  # Holýšov
    (556254, "341 01"),  # Horažďovice
    (557587, "336 01"),  # Blovice
    (558109, "335 01"),  # Nepomuk
    (559075, "331 41"),  # Kralovice
    (553671, "346 01"),  # Horšovský Týn
    (561134, "348 15"),  # Planá
    (553786, "345 06"),  # Kdyně
    (559521, "330 11"),  # Třemošná
    (560758, "348 02"),  # Bor
)

# (key, email, name, role, organisation)
USERS: tuple[tuple[str, str, str, UserRole, str | None], ...] = (
    ("admin", ADMIN_EMAIL, "Marie Kratochvílová", UserRole.admin, AGENCY),
    ("staff", "staff@demo.example.cz", "Petr Svoboda", UserRole.staff, AGENCY),
    ("staff2", "staff2@demo.example.cz", "Lenka Marešová", UserRole.staff, AGENCY),
    ("social", "social@demo.example.cz", "Jana Dvořáková", UserRole.social_worker, AGENCY),
    ("social2", "social2@demo.example.cz", "Tomáš Beneš", UserRole.social_worker, AGENCY),
    ("ngo-social", "ngo-social@demo.example.cz", "Eva Horáková", UserRole.social_worker, NGO_WEST),
    (
        "ngo2-social",
        "ngo2-social@demo.example.cz",
        "Martin Kolář",
        UserRole.social_worker,
        NGO_SOUTH,
    ),
    ("platform", "platform@demo.example.cz", "Pavel Veselý", UserRole.platform_member, REGION),
    ("landlord", "landlord@demo.example.cz", "Josef Hájek", UserRole.landlord, None),
)


@dataclass(frozen=True)
class DemoCredential:
    """A demo login: the CLI prints these."""

    email: str
    role: UserRole
    password: str


def credentials() -> list[DemoCredential]:
    return [DemoCredential(email, role, DEMO_PASSWORD) for _, email, _, role, _ in USERS]


def load_places(ctx: DemoContext) -> int:
    """The demo towns as found in the gazetteer (a town missing from it is skipped)."""
    postcodes = dict(TOWNS)
    query = select(Municipality).where(col(Municipality.code).in_(postcodes))
    found = {m.code: m for m in ctx.session.exec(query)}
    ctx.places = [
        Place(m.code, m.name, m.orp_code, postcodes[m.code], m.population, m.code == 554791)
        for code in postcodes
        if (m := found.get(code)) is not None
    ]
    if not ctx.places:
        raise RuntimeError("the gazetteer holds none of the demo towns: run the migrations")
    return len(ctx.places)


def add_organisations(ctx: DemoContext) -> int:
    kinds = {
        AGENCY: OrganisationKind.agency,
        NGO_WEST: OrganisationKind.ngo,
        NGO_SOUTH: OrganisationKind.ngo,
        REGION: OrganisationKind.region,
    }
    for name, kind in kinds.items():
        ctx.orgs[name] = ensure_organisation(ctx.session, name=name, kind=kind)
    return len(kinds)


def add_users(ctx: DemoContext, hasher: PasswordHasher) -> int:
    """The demo logins; the shared password is hashed once (argon2 is slow on purpose)."""
    password_hash = hasher.hash(DEMO_PASSWORD)
    for key, email, name, role, org_name in USERS:
        user = create_user(
            ctx.session,
            hasher=hasher,
            email=email,
            name=name,
            role=role,
            password=None,
            organisation_id=ctx.orgs[org_name].id if org_name else None,
            landlord_id=ctx.landlords[0].id if role == UserRole.landlord else None,
        )
        user.password_hash = password_hash
        ctx.users[key] = user
    return len(USERS)


def add_landlords(ctx: DemoContext, count: int = 30) -> int:
    """Private persons and a few companies; the first one has the landlord login."""
    rows = [_person_landlord(ctx, i) for i in range(count - len(COMPANIES))]
    rows[0].name, rows[0].email = "Josef Hájek", "landlord@demo.example.cz"
    rows += [_company_landlord(ctx, i, name) for i, name in enumerate(COMPANIES)]
    others = rows[1:]
    ctx.rng.shuffle(others)
    ctx.landlords = [rows[0], *others]
    ctx.session.add_all(ctx.landlords)
    ctx.session.flush()
    return len(ctx.landlords)


def _person_landlord(ctx: DemoContext, index: int) -> Landlord:
    first, last = person_name(ctx)
    foreign = index % 13 == 7
    return Landlord(
        kind=LandlordKind.person,
        name=f"{first} {last}",
        email=f"{email_local(first, last)}.{index + 1}@example.cz",
        phone=phone(ctx.rng),
        preferred_language=Language.en if foreign else Language.cs,
        terms_consented_at=at(ctx.days_ago(30, 760)) if index % 9 else None,
        created_at=at(ctx.days_ago(730, 780)),
    )


def _company_landlord(ctx: DemoContext, index: int, name: str) -> Landlord:
    return Landlord(
        kind=LandlordKind.company,
        name=name,
        company_id=company_id(ctx, index),
        email=f"pronajem{index + 1}@example.org",
        phone=phone(ctx.rng),
        terms_consented_at=at(ctx.days_ago(700, 760)),
        created_at=at(ctx.days_ago(730, 780)),
    )


def company_id(ctx: DemoContext, index: int) -> str:
    """An IČO with a valid check digit (modulo 11)."""
    digits = [ctx.rng.randint(0, 9) for _ in range(7)]
    digits[0] = 2 + index % 7
    total = sum(d * w for d, w in zip(digits, range(8, 1, -1), strict=True))
    check = (11 - total % 11) % 10
    return "".join(map(str, digits)) + str(check)


def person_name(ctx: DemoContext) -> tuple[str, str]:
    """A first name and surname of either gender."""
    male, female = ctx.rng.choice(SURNAMES)
    if ctx.rng.random() < 0.5:
        return ctx.rng.choice(MALE_NAMES), male
    return ctx.rng.choice(FEMALE_NAMES), female
