"""Users and organisations."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from agency.enums import Language, OrganisationKind, UserRole
from agency.errors import Conflict, DomainError, InvalidInput
from agency.models import LoginAttempt, Organisation, User
from agency.passwords import verify_password

MIN_PASSWORD_LENGTH = 12
# The most used passwords of at least MIN_PASSWORD_LENGTH characters (compared ignoring
# case); shorter ones are refused by the length rule anyway.
COMMON_PASSWORDS = frozenset(
    {
        "000000000000",
        "111111111111",
        "123123123123",
        "123456789012",
        "1234567890ab",
        "1q2w3e4r5t6y",
        "aaaaaaaaaaaa",
        "abc123456789",
        "abcdefghijkl",
        "administrator",
        "changeme1234",
        "heslo1234567",
        "heslo123heslo",
        "hesloheslo12",
        "iloveyou1234",
        "letmein12345",
        "password1234",
        "password123!",
        "passwordpassword",
        "qwerty123456",
        "qwertyuiop12",
        "qwertyuiopas",
        "qwertzuiop12",
        "qwertzuiopas",
        "welcome12345",
    }
)


def normalise_email(email: str) -> str:
    cleaned = email.strip().lower()
    if "@" not in cleaned or cleaned.startswith("@") or cleaned.endswith("@"):
        raise InvalidInput(f"'{email}' is not an email address", field="email")
    return cleaned


class WeakPassword(InvalidInput):
    """A password the policy refuses; `template` and `values` let the web layer translate."""

    def __init__(self, template: str, **values: Any) -> None:
        super().__init__(template % values if values else template, field="password")
        self.template = template
        self.values = values


def check_password(password: str, *, email: str) -> None:
    """Raise WeakPassword unless `password` is long, uncommon and not made of the email."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(
            "The password must have at least %(min)s characters.", min=MIN_PASSWORD_LENGTH
        )
    if password.lower() in COMMON_PASSWORDS:
        raise WeakPassword("This password is among the most common ones. Choose another.")
    local = email.strip().lower().partition("@")[0]
    if len(local) >= 3 and local in password.lower():
        raise WeakPassword("The password must not contain the part of the email before the @.")


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
    if password is not None:
        check_password(password, email=email)
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


def set_password(session: Session, *, hasher: PasswordHasher, user: User, password: str) -> None:
    """A new password for `user` (checked by the policy); their other sessions end."""
    check_password(password, email=user.email)
    user.password_hash = hasher.hash(password)
    end_sessions(session, user_id=int(user.id or 0))


def end_sessions(session: Session, *, user_id: int, generation: int | None = None) -> None:
    """Move the user's session generation on: every session cookie issued so far stops working.
    With `generation`, only when it is still the current one (a stale cookie ends nothing)."""
    column = col(User.session_generation)
    query = sa.update(User).where(col(User.id) == user_id)
    if generation is not None:
        query = query.where(column == generation)
    session.execute(query.values({column: column + 1}))
    session.flush()


@dataclass(frozen=True)
class LoginPolicy:
    """At most `per_email` failures per address and `per_ip` per address of origin."""

    window: timedelta = timedelta(minutes=15)
    per_email: int = 5
    per_ip: int = 30


LOGIN = "login"


class LoginThrottled(DomainError):
    status_code = 429

    def __init__(self, minutes: int) -> None:
        super().__init__(f"too many failed attempts; try again in {minutes} minutes")
        self.minutes = minutes


def _failures(session: Session, column: Any, value: str, since: datetime) -> int:
    query = (
        sa.select(sa.func.count())
        .select_from(LoginAttempt)
        .where(
            column == value,
            col(LoginAttempt.kind) == LOGIN,
            col(LoginAttempt.at) >= since,
            col(LoginAttempt.success).is_(False),
        )
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
    session.add(LoginAttempt(kind=LOGIN, email=email[:254], ip=ip[:45], success=ok, at=now))
    if not ok or user is None:
        return None
    user.last_login_at = now
    return user


@dataclass(frozen=True)
class PublicLimit:
    """At most `per_ip` submissions of one kind per address of origin, and `per_email` per
    email address, within `window`."""

    window: timedelta = timedelta(hours=1)
    per_ip: int = 20
    per_email: int = 5


SQLITE_BUSY = 5  # "database is locked", the primary code of its extended codes


class TooManySubmissions(DomainError):
    status_code = 429

    def __init__(self, minutes: int) -> None:
        super().__init__(f"too many submissions; try again in {minutes} minutes")
        self.minutes = minutes


def _submissions(session: Session, kind: str, column: Any, value: str, since: datetime) -> int:
    query = (
        sa.select(sa.func.count())
        .select_from(LoginAttempt)
        .where(column == value, col(LoginAttempt.kind) == kind, col(LoginAttempt.at) >= since)
    )
    return int(session.execute(query).scalar_one())


def _lock_key(*parts: str) -> int:
    """A stable signed 64-bit advisory lock key (Python's hash() differs between processes)."""
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _take_turns(session: Session, *, kind: str, email: str, ip: str) -> None:
    """Make concurrent submissions of one origin or one email address wait for each other
    until commit, so that the count that follows sees every earlier one."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        # Always in ascending key order: two requests never wait for each other in a cycle.
        for key in sorted({_lock_key(kind, "ip", ip), _lock_key(kind, "email", email)}):
            session.execute(sa.select(sa.func.pg_advisory_xact_lock(key)))
    elif dialect == "sqlite":
        _take_sqlite_write_lock(session)


def _take_sqlite_write_lock(session: Session) -> None:
    """SQLite serialises writers: write first (a no-op), which waits for the database's write
    lock and then reads the newest state. A deferred transaction that has read already
    cannot wait for it: when another writer holds it or committed since, SQLite refuses at
    once ("database is locked"); that request is asked to try again instead of failing."""
    touch = (
        sa.update(LoginAttempt)
        .where(sa.false())
        .values(kind=LoginAttempt.kind)
        .execution_options(synchronize_session=False)
    )
    try:
        session.execute(touch)
    except OperationalError as exc:
        if getattr(exc.orig, "sqlite_errorcode", 0) & 0xFF != SQLITE_BUSY:
            raise
        raise TooManySubmissions(1) from exc


def count_public_submission(
    session: Session, *, kind: str, email: str, ip: str, now: datetime, limit: PublicLimit
) -> None:
    """Record a submission of a public form (`kind`), or raise TooManySubmissions (recording
    nothing) when this origin or this email address has used up its limit. Exact under
    concurrency: submissions of the same origin or email take turns until commit."""
    email, ip = email.strip().lower()[:254], ip[:45]
    _take_turns(session, kind=kind, email=email, ip=ip)
    since = now - limit.window
    if (
        _submissions(session, kind, col(LoginAttempt.ip), ip, since) >= limit.per_ip
        or _submissions(session, kind, col(LoginAttempt.email), email, since) >= limit.per_email
    ):
        raise TooManySubmissions(max(1, int(limit.window.total_seconds() // 60)))
    session.add(LoginAttempt(kind=kind, email=email, ip=ip, success=True, at=now))
    session.flush()
