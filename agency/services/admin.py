"""Admins' work on users and organisations."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql import Select
from sqlmodel import Session, col, select

from agency.enums import AuditAction, OrganisationKind, UserRole
from agency.errors import Conflict, Forbidden, InvalidInput, NotFound
from agency.models import Organisation, User
from agency.services.audit import record_audit

NO_SUCH_USER = "This user does not exist."
NO_SUCH_ORGANISATION = "This organisation does not exist."
NOT_YOURSELF = "You cannot deactivate your own account."
NAME_TAKEN = "An organisation with this name exists already."
NAME_REQUIRED = "Enter the name."

# Any SELECT, whatever its columns (Select is variadic in SQLAlchemy 2.1).
AnySelect = Select[*tuple[Any, ...]]


def users_query(*, role: UserRole | None = None) -> AnySelect:
    """Users with their organisation's name, by name, optionally of one role."""
    query = (
        sa.select(User, col(Organisation.name))
        .outerjoin(Organisation, col(Organisation.id) == col(User.organisation_id))
        .order_by(col(User.name), col(User.id))
    )
    if role is not None:
        query = query.where(col(User.role) == role)
    return query


def organisations_query() -> AnySelect:
    """Organisations by name, each with how many users it has."""
    members = (
        sa.select(sa.func.count())
        .where(col(User.organisation_id) == col(Organisation.id))
        .scalar_subquery()
    )
    return sa.select(Organisation, members).order_by(col(Organisation.name))


def list_organisations(session: Session) -> list[Organisation]:
    """Every organisation by name, for choosing one (there are few)."""
    return list(session.exec(select(Organisation).order_by(col(Organisation.name))).all())


def get_organisation(session: Session, *, organisation_id: int) -> Organisation:
    found = session.get(Organisation, organisation_id)
    if found is None:
        raise InvalidInput(NO_SUCH_ORGANISATION, field="organisation_id")
    return found


def create_organisation(session: Session, *, name: str, kind: OrganisationKind) -> Organisation:
    """A new organisation; its name must be free (compared ignoring case)."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidInput(NAME_REQUIRED, field="name")
    # Organisations are few: compare in Python, where casefold() knows Czech capitals.
    names = session.exec(select(Organisation.name)).all()
    if cleaned.casefold() in {name.casefold() for name in names}:
        raise Conflict(NAME_TAKEN, field="name")
    organisation = Organisation(name=cleaned, kind=kind)
    session.add(organisation)
    session.flush()
    return organisation


def set_user_active(session: Session, *, user_id: int, active: bool, actor_id: int) -> User:
    """Activate or deactivate a user (audited); nobody deactivates themself."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(NO_SUCH_USER)
    if not active and user.id == actor_id:
        raise Forbidden(NOT_YOURSELF)
    if user.active != active:
        user.active = active
        session.add(user)
        session.flush()
        record_audit(
            session,
            actor_id=actor_id,
            action=AuditAction.update,
            entity="user",
            entity_id=user_id,
            details={"active": active},
        )
    return user
