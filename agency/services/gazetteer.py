"""Look-ups in the municipalities gazetteer, and distances between municipalities."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from agency.errors import NotFound
from agency.models import Municipality
from agency.rules import fold_diacritics, great_circle_km


def get_municipality(session: Session, *, code: int) -> Municipality:
    """The municipality with this code, or NotFound."""
    found = session.get(Municipality, code)
    if found is None:
        raise NotFound(f"municipality {code} is not in the gazetteer", field="municipality_code")
    return found


def search_municipalities(
    session: Session, *, prefix: str, limit: int = 20
) -> Sequence[Municipality]:
    """Municipalities whose name starts with `prefix`, ignoring case and diacritics,
    in Czech alphabetical order ("plzen" finds Plzeň and Plzeň-Újezd is not far)."""
    folded = fold_diacritics(prefix.strip())
    if not folded:
        return []
    escaped = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    query = (
        select(Municipality)
        .where(col(Municipality.name_folded).like(f"{escaped}%", escape="\\"))
        .order_by(col(Municipality.name_key), col(Municipality.code))
        .limit(limit)
    )
    return session.exec(query).all()


def municipalities_in_orp(session: Session, *, orp_code: int) -> Sequence[Municipality]:
    query = select(Municipality).where(Municipality.orp_code == orp_code)
    return session.exec(query.order_by(col(Municipality.name_key))).all()


def municipalities_in_kraj(session: Session, *, kraj_code: str) -> Sequence[Municipality]:
    query = select(Municipality).where(Municipality.kraj_code == kraj_code)
    return session.exec(query.order_by(col(Municipality.name_key))).all()


# The gazetteer changes only through migrations, so its ORP and kraj lists are read once per
# database and process (filter drop-downs on every list page would otherwise re-read them).
_lists: dict[tuple[str, str, str | None], list[Any]] = {}


def _cached(session: Session, what: str, kraj_code: str | None, read: Any) -> list[Any]:
    key = (session.get_bind().engine.url.render_as_string(hide_password=True), what, kraj_code)
    if key not in _lists:
        _lists[key] = read()
    return list(_lists[key])


def list_orps(session: Session, *, kraj_code: str | None = None) -> list[tuple[int, str]]:
    """(ORP code, ORP name) pairs, optionally within one kraj, by name."""

    def read() -> list[tuple[int, str]]:
        query = sa.select(col(Municipality.orp_code), col(Municipality.orp_name)).distinct()
        if kraj_code is not None:
            query = query.where(col(Municipality.kraj_code) == kraj_code)
        rows = session.execute(query).all()
        return sorted(((int(c), str(n)) for c, n in rows), key=lambda r: fold_diacritics(r[1]))

    return _cached(session, "orps", kraj_code, read)


def list_krajs(session: Session) -> list[tuple[str, str]]:
    def read() -> list[tuple[str, str]]:
        query = sa.select(col(Municipality.kraj_code), col(Municipality.kraj_name)).distinct()
        return sorted((str(c), str(n)) for c, n in session.execute(query).all())

    return _cached(session, "krajs", None, read)


def distance_km(session: Session, *, from_code: int, to_code: int) -> float:
    """Great-circle distance between two municipalities' definition points."""
    a = get_municipality(session, code=from_code)
    b = get_municipality(session, code=to_code)
    return great_circle_km(a.lat, a.lon, b.lat, b.lon)
