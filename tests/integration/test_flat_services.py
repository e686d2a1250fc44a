"""Landlord-side flat services on SQLite and PostgreSQL: offer, edit, withdraw, reads, rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from agency.enums import AuditAction, FlatStatus, LandlordKind, MatchStatus, UserRole
from agency.errors import Conflict, InvalidInput, NotFound
from agency.models import AuditEntry, Flat, Landlord, Match
from agency.services.flats import (
    FlatDetails,
    FlatSubmission,
    check_values,
    resolve_municipality,
    submit_flat,
    update_submitted_flat,
    valid_ico,
    withdraw_flat,
)
from agency.services.landlords import (
    LandlordDetails,
    MagicLink,
    flat_overview,
    list_landlord_flats,
    send_login_link,
)
from notifications.models import OutboxMessage
from tests.factories import PLZEN, Factory

NOW = datetime(2026, 11, 21, 11, 0, tzinfo=UTC)
TODAY = NOW.date()


def link(landlord_id: int) -> MagicLink:
    return MagicLink(f"https://agency.example/auth/link?token=t{landlord_id}", NOW + timedelta(14))


def details(**changes: object) -> FlatDetails:
    base = FlatDetails(
        street=" Slovanská  alej 5 ",
        postcode="326 00",
        municipality_code=PLZEN,
        floor=1,
        layout="2 + KK",
        area_m2=48.0,
        rent=10_000,
        services=2_500,
        deposit=30_000,
        available_from=TODAY + timedelta(days=14),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def offer(email: str = "eva@example.cz", **changes: object) -> FlatSubmission:
    landlord = LandlordDetails(kind=LandlordKind.person, name="Eva Malá", email=email)
    return FlatSubmission(landlord=landlord, flat=details(**changes), terms_accepted=True)


def outbox(session: Session) -> list[OutboxMessage]:
    return list(session.exec(select(OutboxMessage)).all())


def test_submit_flat_stores_audits_and_notifies(session: Session, factory: Factory) -> None:
    staff = factory.user(UserRole.staff)
    factory.user(UserRole.staff, active=False)
    flat = submit_flat(session, submission=offer(), link=link, now=NOW)
    assert (flat.status, flat.layout, flat.rooms, flat.postcode) == (
        "submitted",
        "2+kk",
        2,
        "32600",
    )
    assert flat.street == "Slovanská alej 5" and flat.building_key == f"slovanska alej 5|{PLZEN}"
    assert flat.status_changed_at == NOW
    audit = session.exec(select(AuditEntry).where(AuditEntry.entity_id == flat.id)).one()
    assert (audit.entity, audit.action, audit.to_status) == (
        "flat",
        AuditAction.create,
        "submitted",
    )
    rows = {(m.kind, m.recipient, m.event_key) for m in outbox(session)}
    assert rows == {
        ("flat_received", staff.email, f"flat_received:{flat.id}"),
        ("flat_received_landlord", "eva@example.cz", f"flat_received_landlord:{flat.id}"),
    }


def test_a_known_email_reuses_the_landlord_without_overwriting(session: Session) -> None:
    first = submit_flat(session, submission=offer(), link=link, now=NOW)
    second = submit_flat(session, submission=offer(email=" EVA@Example.CZ"), link=link, now=NOW)
    assert first.landlord_id == second.landlord_id
    assert len(session.exec(select(Landlord)).all()) == 1


def test_submit_flat_refuses_broken_rules(session: Session) -> None:
    with pytest.raises(InvalidInput) as too_much:
        submit_flat(session, submission=offer(deposit=30_001), link=link, now=NOW)
    assert too_much.value.field == "deposit" and "30000 CZK" in too_much.value.message
    with pytest.raises(InvalidInput) as no_place:
        submit_flat(session, submission=offer(municipality_code=1), link=link, now=NOW)
    assert no_place.value.field == "municipality_code"
    no_terms = replace(offer(), terms_accepted=False)
    with pytest.raises(InvalidInput, match="terms"):
        submit_flat(session, submission=no_terms, link=link, now=NOW)
    assert session.exec(select(Flat)).all() == []


def test_check_values_rules() -> None:
    ok = {"rent": 10_000, "deposit": 30_000, "available_from": TODAY - timedelta(days=7)}
    assert check_values(ok, today=TODAY) == []
    bad = {
        "rent": 10_000,
        "deposit": 30_001,
        "available_from": TODAY - timedelta(days=8),
        "postcode": "1234",
        "floor": 61,
        "kind": "company",
        "company_id": "",
        "phone": "call me",
        "terms_accepted": False,
    }
    fields = [p.field for p in check_values(bad, today=TODAY)]
    assert sorted(fields) == sorted(
        ["deposit", "available_from", "postcode", "floor", "company_id", "phone", "terms_accepted"]
    )
    assert valid_ico("25596641") and valid_ico("00064581") and not valid_ico("25596642")


def test_update_only_while_submitted(session: Session, factory: Factory) -> None:
    landlord = factory.landlord()
    flat = factory.flat(FlatStatus.submitted, landlord_id=landlord.id)
    changed = update_submitted_flat(
        session,
        landlord_id=landlord.id,
        flat_id=int(flat.id or 0),
        details=details(layout="3+1", rent=12_000),
        actor_id=None,
        now=NOW,
    )
    assert (changed.rooms, changed.rent) == (3, 12_000)
    entry = session.exec(select(AuditEntry).where(AuditEntry.entity_id == flat.id)).one()
    assert entry.action == AuditAction.update and entry.details is not None
    assert {"layout", "rent", "street"} <= set(entry.details["changed"])
    other = factory.landlord()
    with pytest.raises(NotFound):
        update_submitted_flat(
            session,
            landlord_id=other.id,
            flat_id=int(flat.id or 0),
            details=details(),
            actor_id=None,
            now=NOW,
        )
    vetted = factory.flat(FlatStatus.vetting, landlord_id=landlord.id)
    with pytest.raises(Conflict):
        update_submitted_flat(
            session,
            landlord_id=landlord.id,
            flat_id=int(vetted.id or 0),
            details=details(),
            actor_id=None,
            now=NOW,
        )


def test_withdraw_before_let_only(session: Session, factory: Factory) -> None:
    landlord = factory.landlord()
    available = factory.flat(FlatStatus.available, landlord_id=landlord.id)
    let = factory.flat(FlatStatus.let, landlord_id=landlord.id)
    withdraw_flat(
        session, landlord_id=landlord.id, flat_id=int(available.id or 0), actor_id=None, now=NOW
    )
    assert available.status == FlatStatus.withdrawn and available.status_changed_at == NOW
    entry = session.exec(select(AuditEntry).where(AuditEntry.entity_id == available.id)).one()
    assert (entry.from_status, entry.to_status) == ("available", "withdrawn")
    for flat_id in (int(let.id or 0), int(available.id or 0)):
        with pytest.raises(Conflict):
            withdraw_flat(session, landlord_id=landlord.id, flat_id=flat_id, actor_id=None, now=NOW)
    with pytest.raises(NotFound):
        withdraw_flat(session, landlord_id=None, flat_id=int(let.id or 0), actor_id=None, now=NOW)


def test_list_landlord_flats_pages(session: Session, factory: Factory) -> None:
    landlord = factory.landlord()
    for _ in range(23):
        factory.flat(FlatStatus.submitted, landlord_id=landlord.id)
    factory.flat()  # someone else's
    first = list_landlord_flats(session, landlord_id=landlord.id, page=1, per_page=20)
    last = list_landlord_flats(session, landlord_id=landlord.id, page=9, per_page=20)
    assert (first.total, first.pages, len(first.rows)) == (23, 2, 20)
    assert (last.page, len(last.rows)) == (2, 3)
    assert all(name == "Plzeň" for _, name in first.rows)
    assert list_landlord_flats(session, landlord_id=None).total == 0


def test_overview_lists_offers_but_not_proposals(session: Session, factory: Factory) -> None:
    landlord = factory.landlord()
    flat = factory.flat(landlord_id=landlord.id)
    worker = factory.user()
    for status in (MatchStatus.proposed, MatchStatus.declined, MatchStatus.rejected):
        household = factory.household(social_worker=worker)
        session.add(
            Match(
                household_id=household.id, flat_id=flat.id, proposed_by_id=worker.id, status=status
            )
        )
    session.flush()
    overview = flat_overview(session, landlord_id=landlord.id, flat_id=int(flat.id or 0))
    assert [o.match.status for o in overview.offers] == [MatchStatus.declined]
    assert overview.municipality.name == "Plzeň" and overview.vetting is None


def test_resolve_municipality(session: Session) -> None:
    assert resolve_municipality(session, text="PLZEN").found is not None
    lhota = resolve_municipality(session, text="nová  ves")
    assert lhota.found is None and lhota.ambiguous and len(lhota.choices) == 14
    chosen = resolve_municipality(session, text="Nova Ves", code=lhota.choices[3].code)
    assert chosen.found is not None and chosen.found.code == lhota.choices[3].code
    stale = resolve_municipality(session, text="Plzeň", code=lhota.choices[3].code)
    assert stale.found is not None and stale.found.code == PLZEN
    unknown = resolve_municipality(session, text="Plzeňov")
    assert unknown.found is None and not unknown.ambiguous and unknown.choices == ()
    partial = resolve_municipality(session, text="Nová Ve")
    assert partial.found is None and partial.choices and not partial.ambiguous


def test_login_link_once_per_hour(session: Session) -> None:
    submit_flat(session, submission=offer(), link=link, now=NOW)
    assert send_login_link(session, email="EVA@example.cz", link=link, now=NOW)
    assert send_login_link(
        session, email="eva@example.cz", link=link, now=NOW + timedelta(minutes=30)
    )
    assert send_login_link(session, email="eva@example.cz", link=link, now=NOW + timedelta(hours=1))
    assert not send_login_link(session, email="nobody@example.cz", link=link, now=NOW)
    assert len([m for m in outbox(session) if m.kind == "magic_link"]) == 2


def test_dates_are_checked_against_today() -> None:
    assert (
        check_values({"available_from": date(2030, 1, 1)}, today=TODAY)[0].field == "available_from"
    )
