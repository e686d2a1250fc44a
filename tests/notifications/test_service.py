"""`notify`: one outbox row per recipient and event, preferences, in-app notifications."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from agency.enums import Language, UserRole
from agency.errors import NotFound
from notifications.inbox import (
    count_unread,
    keep_unread,
    list_notifications,
    mark_all_read,
    mark_read,
)
from notifications.models import Notification, OutboxMessage, OutboxStatus
from notifications.service import Recipient, notify, set_email_preference
from tests.factories import Factory

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
CONTEXT = {"address": "Slovanská 12, Plzeň", "days_available": 61, "rent": 9000}


def outbox(session: Session, event_key: str) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.event_key == event_key)
    return list(session.exec(query.order_by(col(OutboxMessage.recipient))).all())


def stale(session: Session, recipients: list, key: str = "stale_listing:1:2026-W47"):
    return notify(
        session,
        kind="stale_listing",
        event_key=key,
        recipients=recipients,
        context=CONTEXT,
        link="/flats/1",
        now=NOW,
    )


def test_one_row_per_recipient_with_a_stored_message_id(session: Session, factory: Factory) -> None:
    staff = factory.user(UserRole.staff, language=Language.en)
    landlord = Recipient(email="Pronajimatel@Example.CZ", language="cs")
    queued = stale(session, [staff, landlord])
    rows = outbox(session, "stale_listing:1:2026-W47")
    assert (queued.emails, queued.in_app) == (2, 1)
    assert [r.recipient for r in rows] == sorted([staff.email, "pronajimatel@example.cz"])
    assert {r.language for r in rows} == {"en", "cs"}
    assert all(r.message_id.startswith("<") and "@" in r.message_id for r in rows)
    assert len({r.message_id for r in rows}) == 2
    assert all(r.status == OutboxStatus.pending and r.next_attempt_at == NOW for r in rows)
    assert rows[0].context is not None and rows[0].context["_link"] == "/flats/1"


def test_the_same_event_twice_queues_nothing_more(session: Session, factory: Factory) -> None:
    staff = [factory.user(UserRole.staff), factory.user(UserRole.staff)]
    first = stale(session, staff)
    message_ids = {r.message_id for r in outbox(session, "stale_listing:1:2026-W47")}
    again = stale(session, [*staff, staff[0]])
    assert (first.emails, first.in_app) == (2, 2)
    assert (again.emails, again.in_app) == (0, 0)
    assert {r.message_id for r in outbox(session, "stale_listing:1:2026-W47")} == message_ids
    in_app = session.exec(
        select(Notification).where(Notification.event_key == "stale_listing:1:2026-W47")
    )
    assert len(in_app.all()) == 2


def test_a_new_recipient_of_a_known_event_is_added(session: Session, factory: Factory) -> None:
    first, second = factory.user(UserRole.staff), factory.user(UserRole.staff)
    stale(session, [first])
    assert stale(session, [first, second]).emails == 1
    assert len(outbox(session, "stale_listing:1:2026-W47")) == 2


def test_email_turned_off_keeps_the_in_app_notification(session: Session, factory: Factory) -> None:
    quiet, loud = factory.user(UserRole.staff), factory.user(UserRole.staff)
    set_email_preference(session, user_id=quiet.id, kind="stale_listing", enabled=False)
    queued = stale(session, [quiet, loud])
    assert (queued.emails, queued.in_app) == (1, 2)
    assert [r.recipient for r in outbox(session, "stale_listing:1:2026-W47")] == [loud.email]
    assert count_unread(session, user_id=quiet.id) == 1


def test_a_preference_for_another_kind_changes_nothing(session: Session, factory: Factory) -> None:
    user = factory.user(UserRole.staff)
    set_email_preference(session, user_id=user.id, kind="arrears", enabled=False)
    assert stale(session, [user]).emails == 1


def test_a_deactivated_user_hears_nothing(session: Session, factory: Factory) -> None:
    gone = factory.user(UserRole.staff, active=False)
    assert stale(session, [gone]) == stale(session, [], key="other")
    assert outbox(session, "stale_listing:1:2026-W47") == []


def test_wrong_calls_are_refused(session: Session, factory: Factory) -> None:
    user = factory.user(UserRole.staff)
    with pytest.raises(ValueError, match="needs the context keys"):
        notify(session, kind="stale_listing", event_key="k", recipients=[user], context={})
    with pytest.raises(ValueError, match="longer than"):
        notify(
            session, kind="stale_listing", event_key="k" * 201, recipients=[user], context=CONTEXT
        )
    with pytest.raises(ValueError, match="unknown notification kind"):
        set_email_preference(session, user_id=user.id, kind="nope", enabled=False)


def test_dates_in_the_context_are_stored_as_text(session: Session, factory: Factory) -> None:
    user = factory.user(UserRole.social_worker)
    context = {
        "household_ref": "D-1",
        "address": "Slovanská 1",
        "end_date": datetime(2027, 1, 31, tzinfo=UTC).date(),
    }
    notify(
        session,
        kind="lease_ends_30",
        event_key="lease_ends_30:7",
        recipients=[user],
        context=context,
    )
    assert outbox(session, "lease_ends_30:7")[0].context == {
        "household_ref": "D-1",
        "address": "Slovanská 1",
        "end_date": "2027-01-31",
    }


def test_inbox_lists_counts_and_marks_read(session: Session, factory: Factory) -> None:
    user, other = factory.user(UserRole.staff, language=Language.en), factory.user(UserRole.staff)
    stale(session, [user, other], key="stale_listing:1:2026-W47")
    stale(session, [user], key="stale_listing:2:2026-W47")
    items = list_notifications(session, user_id=user.id, language="en")
    assert [item.title for item in items] == [
        "Flat available for 61\xa0days: Slovanská 12, Plzeň"
    ] * 2
    assert items[0].link == "/flats/1"
    mark_read(session, user_id=user.id, notification_id=items[0].id, now=NOW)
    assert count_unread(session, user_id=user.id) == 1
    assert len(list_notifications(session, user_id=user.id, language="cs", unread_only=True)) == 1
    with pytest.raises(NotFound):
        mark_read(session, user_id=other.id, notification_id=items[1].id, now=NOW)
    assert mark_all_read(session, user_id=user.id, now=NOW) == 1
    assert count_unread(session, user_id=user.id) == 0
    assert count_unread(session, user_id=other.id) == 1


def test_a_concurrent_duplicate_cannot_slip_in(session: Session, factory: Factory) -> None:
    """The database's unique key, not a prior read, is what keeps the event single."""
    user = factory.user(UserRole.staff)
    stale(session, [user])
    table = OutboxMessage.__table__
    row = {
        c: getattr(outbox(session, "stale_listing:1:2026-W47")[0], c)
        for c in (
            "event_key",
            "recipient",
            "kind",
            "language",
            "status",
            "attempts",
            "next_attempt_at",
            "created_at",
        )
    }
    with pytest.raises(sa.exc.IntegrityError), session.begin_nested():
        session.execute(sa.insert(table).values(row | {"message_id": "<other@x>"}))


def test_an_unread_count_kept_for_the_session_is_dropped_when_notifications_change(
    session: Session, factory: Factory
) -> None:
    user = factory.user(UserRole.staff)
    keep_unread(session, user_id=user.id, unread=7)
    assert count_unread(session, user_id=user.id) == 7  # as read with the account
    other = factory.user(UserRole.staff)
    assert count_unread(session, user_id=other.id) == 0  # kept for one user only
    stale(session, [user])
    assert count_unread(session, user_id=user.id) == 1
    keep_unread(session, user_id=user.id, unread=1)
    mark_all_read(session, user_id=user.id, now=NOW)
    assert count_unread(session, user_id=user.id) == 0
    stale(session, [user], key="stale_listing:1:2026-W48")
    (item,) = list_notifications(session, user_id=user.id, language="cs", unread_only=True)
    keep_unread(session, user_id=user.id, unread=1)
    mark_read(session, user_id=user.id, notification_id=item.id, now=NOW)
    assert count_unread(session, user_id=user.id) == 0
