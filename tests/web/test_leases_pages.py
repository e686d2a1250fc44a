"""Lease pages: list with filters, detail with ledger, payments, renewal, ending, the bank
statement import; who may see what (other organisations get 404)."""

from __future__ import annotations

import html as html_lib
from dataclasses import dataclass
from datetime import timedelta

import pytest
from litestar.testing import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from agency.db import session_scope
from agency.enums import BarrierSource, FlatStatus, HouseholdStatus, LeaseStatus, PaymentSource
from agency.models import (
    Barrier,
    Flat,
    Household,
    Lease,
    Organisation,
    RentPayment,
    SupportVisit,
    User,
)
from agency.models.base import utcnow
from agency.services.rent import charge_rent
from agency.services.support import default_template, generate_schedule
from tests.factories import Factory
from tests.webutil import csrf_from, login, submit


@dataclass(frozen=True)
class Placed:
    lease: int
    household: int
    flat: int
    visit: int
    other_lease: int  # a lease of another organisation's household
    other_visit: int
    other_household: int


def _placed(session: Session, factory: Factory, worker: User) -> tuple[int, int, int, int]:
    today = utcnow().date()
    flat = factory.flat(FlatStatus.let)
    household = factory.household(HouseholdStatus.housed, social_worker=worker)
    lease = factory.lease(
        flat, household, start_date=today - timedelta(days=50), end_date=today + timedelta(days=40)
    )
    generate_schedule(session, lease=lease, template=default_template(session))
    charge_rent(session, month=today, now=utcnow())
    charge_rent(session, month=today - timedelta(days=31), now=utcnow())
    query = select(SupportVisit).where(SupportVisit.household_id == household.id)
    plan_visit = session.exec(query.order_by(col(SupportVisit.planned_on))).first()
    assert plan_visit is not None
    return int(lease.id or 0), int(household.id or 0), int(flat.id or 0), int(plan_visit.id or 0)


def make_placed(engine: Engine, users: dict[str, User]) -> Placed:
    """A lease (started 50 days ago, ending in 40) of the test social worker's household."""
    with session_scope(engine) as session:
        worker = session.get(User, users["social_worker"].id)
        assert worker is not None
        org = session.get(Organisation, worker.organisation_id)
        lease, household, flat, visit = _placed(session, Factory(session, org), worker)
        other = Factory(session)
        other_lease, other_household, _, other_visit = _placed(session, other, other.user())
        return Placed(lease, household, flat, visit, other_lease, other_visit, other_household)


@pytest.fixture
def placed(web_engine: Engine, users: dict[str, User]) -> Placed:
    return make_placed(web_engine, users)


def _owed(client: TestClient, lease: int) -> int:
    html = client.get(f"/leases/{lease}").text
    start = html.index('id="arrears">') + len('id="arrears">')
    return int(html[start : html.index(" Kč", start)])


def test_social_worker_sees_own_organisations_leases_only(
    client: TestClient, users: dict[str, User], placed: Placed
) -> None:
    login(client, "social_worker@example.cz")
    listing = client.get("/leases")
    assert listing.status_code == 200 and f'href="/leases/{placed.lease}"' in listing.text
    assert f'href="/leases/{placed.other_lease}"' not in listing.text
    assert client.get(f"/leases/{placed.lease}").status_code == 200
    assert client.get(f"/leases/{placed.other_lease}").status_code == 404
    assert client.get(f"/leases/{2**31 - 1}").status_code == 404
    # Social workers read; staff record payments and end leases.
    assert "/payments" not in client.get(f"/leases/{placed.lease}").text


def test_filters(client: TestClient, users: dict[str, User], placed: Placed) -> None:
    login(client, "staff@example.cz")
    ending = client.get("/leases?ending=1").text
    assert f'href="/leases/{placed.lease}"' in ending
    arrears = client.get("/leases?arrears=1").text
    assert f'href="/leases/{placed.lease}"' in arrears
    assert f'href="/leases/{placed.lease}"' not in client.get("/leases?orp=1").text
    assert client.get("/leases?page=0").status_code == 400


def test_payment_lowers_the_arrears(
    client: TestClient, users: dict[str, User], placed: Placed
) -> None:
    login(client, "staff@example.cz")
    before = _owed(client, placed.lease)
    assert before > 0
    page = f"/leases/{placed.lease}"
    bad = submit(client, page, f"{page}/payments", {"amount": "-5", "paid_on": "1. 2. 2026"})
    assert bad.status_code == 400 and 'value="-5"' in bad.text
    ok = submit(
        client,
        page,
        f"{page}/payments",
        {"amount": "5 000", "paid_on": utcnow().date().isoformat(), "reference": "PAY-1"},
    )
    assert ok.status_code == 303
    assert _owed(client, placed.lease) == before - 5000
    again = submit(
        client,
        page,
        f"{page}/payments",
        {"amount": "100", "paid_on": utcnow().date().isoformat(), "reference": "PAY-1"},
    )
    assert again.status_code == 400 and "PAY-1" in again.text


def test_renewal(
    client: TestClient, users: dict[str, User], placed: Placed, web_engine: Engine
) -> None:
    login(client, "staff@example.cz")
    page = f"/leases/{placed.lease}"
    early = submit(client, page, f"{page}/renew", {"new_end": "2020-01-01"})
    assert early.status_code == 400
    new_end = utcnow().date() + timedelta(days=400)
    assert (
        submit(client, page, f"{page}/renew", {"new_end": new_end.isoformat()}).status_code == 303
    )
    with session_scope(web_engine) as session:
        assert session.get(Lease, placed.lease).end_date == new_end  # type: ignore[union-attr]


def test_ending_puts_the_household_back_on_the_waiting_list(
    client: TestClient, users: dict[str, User], placed: Placed, web_engine: Engine
) -> None:
    login(client, "staff@example.cz")
    form = f"/leases/{placed.lease}/end"
    assert client.get(form).status_code == 200
    missing = submit(client, form, form, {"reason": "", "ended_on": "x"})
    assert missing.status_code == 400 and 'value="x"' in missing.text
    data = {
        "reason": "landlord_conflict",
        "ended_on": utcnow().date().isoformat(),
        "household_next": "waiting",
        "flat_next": "available",
        "note": "Spory se sousedy",
    }
    assert submit(client, form, form, data).status_code == 303
    with session_scope(web_engine) as session:
        assert session.get(Lease, placed.lease).status == LeaseStatus.ended  # type: ignore[union-attr]
        assert session.get(Household, placed.household).status == HouseholdStatus.waiting  # type: ignore[union-attr]
        assert session.get(Flat, placed.flat).status == FlatStatus.available  # type: ignore[union-attr]
        barrier = session.exec(
            select(Barrier).where(Barrier.household_id == placed.household)
        ).one()
        assert barrier.source == BarrierSource.lease_end
    assert client.get(form).status_code == 200
    twice = submit(client, form, form, data)
    assert twice.status_code == 409


def _statement(lease: int, other: int) -> str:
    return (
        "Datum;Částka;VS;Reference;Poznámka\n"
        f"01.03.2026;11 500,00;{lease};BANK-1;Nájem Řehoř\n"
        f"02.03.2026;nic;{lease};BANK-2;\n"
        f"03.03.2026;700;{other + 1000};BANK-3;\n"
    )


@pytest.mark.parametrize("encoding", ["utf-8", "cp1250"])
def test_bank_import_preview_then_good_rows(
    client: TestClient, users: dict[str, User], placed: Placed, web_engine: Engine, encoding: str
) -> None:
    login(client, "staff@example.cz")
    token = csrf_from(client.get("/rent/import").text)
    body = _statement(placed.lease, placed.other_lease).encode(encoding)
    preview = client.post(
        "/rent/import",
        data={"_csrf_token": token},
        files={"statement": ("vypis.csv", body, "text/csv")},
    )
    assert preview.status_code == 200, preview.text
    assert preview.text.count('class="bad"') == 2 and preview.text.count('class="ok"') == 1
    assert "Částka není platná" in preview.text or "The amount is not valid" in preview.text
    text = preview.text.split('name="text" value="')[1].split('">')[0]

    done = client.post(
        "/rent/import/confirm",
        data={"_csrf_token": csrf_from(preview.text), "text": html_lib.unescape(text)},
    )
    assert done.status_code == 200
    with session_scope(web_engine) as session:
        payments = session.exec(select(RentPayment)).all()
        assert [(p.lease_id, p.amount, p.source) for p in payments] == [
            (placed.lease, 11500, PaymentSource.bank_import)
        ]
        assert payments[0].note == "Nájem Řehoř"


def test_import_without_a_file_is_a_clear_error(
    client: TestClient, users: dict[str, User], placed: Placed
) -> None:
    login(client, "staff@example.cz")
    token = csrf_from(client.get("/rent/import").text)
    empty = client.post(
        "/rent/import", data={"_csrf_token": token}, files={"statement": ("x.csv", b"", "text/csv")}
    )
    assert empty.status_code == 400 and 'role="alert"' in empty.text


def test_dashboards_list_households_at_risk(
    client: TestClient, users: dict[str, User], placed: Placed, web_engine: Engine
) -> None:
    with session_scope(web_engine) as session:
        name = session.get(Household, placed.household).reference_name  # type: ignore[union-attr]
    login(client, "social_worker@example.cz")
    html = client.get("/dashboard").text
    assert 'id="at-risk"' in html and name in html
    assert "po termínu" in html or "dní po termínu" in html
    login(client, "staff@example.cz")
    staff_html = client.get("/dashboard").text
    assert name in staff_html and 'id="overdue-visits"' in staff_html
    assert f'href="/visits/{placed.other_visit}"' in staff_html


def test_claims_and_the_landlords_view(
    client: TestClient, users: dict[str, User], placed: Placed, web_engine: Engine
) -> None:
    login(client, "staff@example.cz")
    page = f"/leases/{placed.lease}"
    today = utcnow().date().isoformat()
    bad = submit(
        client,
        page,
        f"{page}/claims",
        {"claim_kind": "rent", "claimed_on": today, "claim_amount": "0"},
    )
    assert bad.status_code == 400
    data = {"claim_kind": "damage", "claimed_on": today, "claim_amount": "7300"}
    assert submit(client, page, f"{page}/claims", data).status_code == 303
    pay = {"amount": "2100", "paid_on": today, "reference": "LL-1"}
    assert submit(client, page, f"{page}/payments", pay).status_code == 303
    with session_scope(web_engine) as session:
        flat = session.get(Flat, placed.flat)
        account = session.get(User, users["landlord"].id)
        assert flat is not None and account is not None
        account.landlord_id = flat.landlord_id
    login(client, "landlord@example.cz")
    portal = client.get(f"/portal/flats/{placed.flat}").text
    assert 'id="payments"' in portal and 'id="claims"' in portal
    assert "7\u00a0300" in portal or "7 300" in portal
    with session_scope(web_engine) as session:
        name = session.get(Household, placed.household).reference_name  # type: ignore[union-attr]
    assert name not in portal
