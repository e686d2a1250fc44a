"""Users and organisations."""

from __future__ import annotations

from argon2 import PasswordHasher
from sqlmodel import Session, select

from agency.enums import Language, OrganisationKind, UserRole
from agency.errors import Conflict, InvalidInput
from agency.models import Organisation, User

MIN_PASSWORD_LENGTH = 10


def normalise_email(email: str) -> str:
    cleaned = email.strip().lower()
    if "@" not in cleaned or cleaned.startswith("@") or cleaned.endswith("@"):
        raise InvalidInput(f"'{email}' is not an email address", field="email")
    return cleaned


def find_user(session: Session, *, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


def ensure_organisation(session: Session, *, name: str, kind: OrganisationKind) -> Organisation:
    """The organisation of this name, created when missing."""
    found = session.exec(select(Organisation).where(Organisation.name == name)).first()
    if found is not None:
        return found
    organisation = Organisation(name=name, kind=kind)
    session.add(organisation)
    session.flush()
    return organisation


def create_user(
    session: Session,
    *,
    hasher: PasswordHasher,
    email: str,
    name: str,
    role: UserRole,
    password: str | None,
    organisation_id: int | None = None,
    landlord_id: int | None = None,
    language: Language = Language.cs,
) -> User:
    """A new user; the email must be free and the password long enough."""
    email = normalise_email(email)
    if find_user(session, email=email) is not None:
        raise Conflict(f"a user with the email {email} exists already", field="email")
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"the password must have at least {MIN_PASSWORD_LENGTH} characters", field="password"
        )
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        password_hash=hasher.hash(password) if password else None,
        organisation_id=organisation_id,
        landlord_id=landlord_id,
        language=language,
    )
    session.add(user)
    session.flush()
    return user
