"""Abuse limits on the public POSTs: the offer form, the public offer API, login links.

Counted per address of origin and per email in the database (shared by every worker);
the limits come from the settings, so these tests use small ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from agency.db import session_scope
from agency.models import Flat, LoginAttempt
from agency.models.base import utcnow
from agency.passwords import make_hasher
from agency.services.users import (
    LoginPolicy,
    PublicLimit,
    TooManySubmissions,
    authenticate,
    count_public_submission,
)
from notifications.config import MailConfig
from notifications.models import OutboxMessage
from tests.web.test_api_offers import body
from tests.web.test_landlord_form import offer
from tests.webutil import csrf_from, submit
from web.app import create_app
from web.settings import PublicLimits, Settings


@pytest.fixture
def limited(web_engine: Engine, tmp_path: Path) -> Iterator[TestClient[Litestar]]:
    """The app with 2 submissions per email and 3 per origin, per hour."""
    settings = Settings(
        database_url="sqlite://",
        secret_key="test-secret",
        var_dir=tmp_path,
        mail=MailConfig(backend="file", mail_dir=tmp_path / "mail"),
        public_limits=PublicLimits(window_minutes=60, per_ip=3, per_email=2),
    )
    app = create_app(settings, engine=web_engine, hasher=make_hasher(cheap=True))
    with TestClient(app) as client:
        yield client


def count(engine: Engine, model: type[Any]) -> int:
    with session_scope(engine) as session:
        return int(session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one())


def test_offer_form_refuses_the_third_offer_for_one_email(
    limited: TestClient[Any], web_engine: Engine
) -> None:
    for street in ("Americká 1", "Americká 2"):
        assert submit(limited, "/offer", "/offer", offer(street=street)).status_code == 303
    third = submit(limited, "/offer", "/offer", offer(street="Americká 3"))
    assert third.status_code == 429
    assert "Příliš mnoho odeslání" in third.text and "60 minut" in third.text
    assert count(web_engine, Flat) == 2  # the refused offer stored nothing
    other = submit(limited, "/offer", "/offer", offer(email="jiny@example.cz"))
    assert other.status_code == 303  # another email, same origin: 3rd of 3 allowed


def test_offer_form_limits_one_origin_across_emails(
    limited: TestClient[Any], web_engine: Engine
) -> None:
    for n in range(3):
        response = submit(limited, "/offer", "/offer", offer(email=f"owner{n}@example.cz"))
        assert response.status_code == 303
    fourth = submit(limited, "/offer", "/offer", offer(email="owner9@example.cz"))
    assert fourth.status_code == 429
    assert count(web_engine, Flat) == 3


def test_offer_form_message_in_english(limited: TestClient[Any]) -> None:
    limited.get("/lang/en?next=/")
    for _ in range(2):
        submit(limited, "/offer", "/offer", offer())
    third = submit(limited, "/offer", "/offer", offer())
    assert third.status_code == 429
    assert "Too many submissions from your address or for this email." in third.text


def test_invalid_offers_are_not_counted(limited: TestClient[Any], web_engine: Engine) -> None:
    for _ in range(4):
        assert submit(limited, "/offer", "/offer", offer(rent="x")).status_code == 400
    assert submit(limited, "/offer", "/offer", offer()).status_code == 303
    assert count(web_engine, LoginAttempt) == 1


def test_public_api_answers_429_with_a_reason(limited: TestClient[Any], web_engine: Engine) -> None:
    for street in ("Americká 1", "Americká 2"):
        assert limited.post("/api/v1/flats", json=body(street=street)).status_code == 201
    refused = limited.post("/api/v1/flats", json=body(street="Americká 3"))
    assert refused.status_code == 429
    assert "too many submissions" in refused.json()["detail"]
    assert count(web_engine, Flat) == 2


def test_form_and_api_share_the_offer_limit(limited: TestClient[Any], web_engine: Engine) -> None:
    assert limited.post("/api/v1/flats", json=body()).status_code == 201
    assert submit(limited, "/offer", "/offer", offer(email="petr@example.cz")).status_code == 303
    assert limited.post("/api/v1/flats", json=body()).status_code == 429


def test_login_links_are_limited_per_email(limited: TestClient[Any], web_engine: Engine) -> None:
    token = csrf_from(limited.get("/login").text)
    answers = [
        limited.post("/login/link", data={"email": "a@example.cz", "_csrf_token": token})
        for _ in range(3)
    ]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert "Příliš mnoho odeslání" in answers[2].text
    # The answer never tells whether the address is known, limited or not.
    assert "Pokud adresa patří pronajímateli" not in answers[2].text
    with session_scope(web_engine) as session:
        kinds = session.exec(select(LoginAttempt.kind)).all()
    assert kinds == ["login_link", "login_link"]
    assert count(web_engine, OutboxMessage) == 0  # nobody with that email: nothing sent


def test_login_link_limit_per_origin(limited: TestClient[Any]) -> None:
    token = csrf_from(limited.get("/login").text)
    codes = [
        limited.post(
            "/login/link", data={"email": f"x{n}@example.cz", "_csrf_token": token}
        ).status_code
        for n in range(4)
    ]
    assert codes == [200, 200, 200, 429]


def test_the_window_passes(session: Session) -> None:
    limit = PublicLimit(window=timedelta(minutes=10), per_ip=100, per_email=1)
    now = utcnow()
    count_public_submission(
        session, kind="offer", email="A@example.cz", ip="1.2.3.4", now=now, limit=limit
    )
    with pytest.raises(TooManySubmissions):
        count_public_submission(
            session, kind="offer", email="a@example.cz", ip="5.6.7.8", now=now, limit=limit
        )
    # Another kind of submission has its own count; the window moves on.
    count_public_submission(
        session, kind="login_link", email="a@example.cz", ip="1.2.3.4", now=now, limit=limit
    )
    later = now + timedelta(minutes=11)
    count_public_submission(
        session, kind="offer", email="a@example.cz", ip="1.2.3.4", now=later, limit=limit
    )


def test_public_submissions_do_not_lock_out_logins(session: Session) -> None:
    limit = PublicLimit(per_ip=100, per_email=100)
    now = utcnow()
    for _ in range(10):
        count_public_submission(
            session, kind="login_link", email="x@example.cz", ip="9.9.9.9", now=now, limit=limit
        )
    found = authenticate(
        session,
        hasher=make_hasher(cheap=True),
        email="x@example.cz",
        password="whatever-password",
        ip="9.9.9.9",
        now=now,
        policy=LoginPolicy(per_email=5, per_ip=5),
    )
    assert found is None  # a failed login, not a LoginThrottled
