"""Users and organisations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlmodel import Session, col, select

from agency.enums import Language, OrganisationKind, UserRole
from agency.errors import Conflict, DomainError, InvalidInput
from agency.models import LoginAttempt, Organisation, User
from agency.passwords import verify_password

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


@dataclass(frozen=True)
class LoginPolicy:
    """At most `per_email` failures per address and `per_ip` per address of origin."""

    window: timedelta = timedelta(minutes=15)
    per_email: int = 5
    per_ip: int = 30


class LoginThrottled(DomainError):
    status_code = 429

    def __init__(self, minutes: int) -> None:
        super().__init__(f"too many failed attempts; try again in {minutes} minutes")
        self.minutes = minutes


def _failures(session: Session, column: Any, value: str, since: datetime) -> int:
    query = (
        sa.select(sa.func.count())
        .select_from(LoginAttempt)
        .where(column == value, col(LoginAttempt.at) >= since, col(LoginAttempt.success).is_(False))
    )
    return int(session.execute(query).scalar_one())


def check_login_allowed(
    session: Session, *, email: str, ip: str, now: datetime, policy: LoginPolicy
) -> None:
    """Raise LoginThrottled while this address or origin has failed too often."""
    since = now - policy.window
    if (
        _failures(session, col(LoginAttempt.email), email, since) >= policy.per_email
        or _failures(session, col(LoginAttempt.ip), ip, since) >= policy.per_ip
    ):
        raise LoginThrottled(int(policy.window.total_seconds() // 60))


def authenticate(
    session: Session,
    *,
    hasher: PasswordHasher,
    email: str,
    password: str,
    ip: str,
    now: datetime,
    policy: LoginPolicy | None = None,
) -> User | None:
    """The active user with this email and password, or None; every try is recorded."""
    email = email.strip().lower()
    check_login_allowed(session, email=email, ip=ip, now=now, policy=policy or LoginPolicy())
    user = session.exec(select(User).where(User.email == email)).first()
    ok = bool(user and user.active and verify_password(hasher, user.password_hash, password))
    session.add(LoginAttempt(email=email[:254], ip=ip[:45], success=ok, at=now))
    if not ok or user is None:
        return None
    user.last_login_at = now
    return user
