"""The senders: real SMTP (aiosmtpd), `.eml` files and the admin's view of them."""

from __future__ import annotations

import smtplib
import ssl
from datetime import UTC, datetime, timedelta
from ipaddress import ip_address
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from agency.errors import NotFound
from notifications.config import SmtpConfig
from notifications.mailbox import list_mail, read_mail
from notifications.render import render_message
from notifications.senders import FileSender, SmtpSender, build_email
from tests.notifications.conftest import SmtpServer
from tests.notifications.helpers import MailRecorder, free_port

CONTEXT = {"address": "Žluťoučká 5, Plzeň", "days_available": 61, "rent": 9000}


def email(message_id: str = "<1@test>", language: str = "cs") -> Any:
    rendered = render_message("stale_listing", language, CONTEXT, base_url="http://h")
    return build_email(
        rendered,
        to="pracovnice@example.cz",
        mail_from="Agentura <noreply@example.cz>",
        message_id=message_id,
        kind="stale_listing",
    )


def test_smtp_delivers_czech_text_intact(smtp: SmtpServer) -> None:
    sender = SmtpSender(SmtpConfig(host="127.0.0.1", port=smtp.port))
    sender.send(email("<a@test>"))
    sender.send(email("<b@test>", language="en"))
    sender.close()
    first, second = smtp.recorder.messages
    assert first["Subject"] == "Byt je volný 61\xa0dní: Žluťoučká 5, Plzeň"
    assert first["Message-ID"] == "<a@test>" and second["Message-ID"] == "<b@test>"
    text = first.get_body(preferencelist=("plain",)).get_content()
    html = first.get_body(preferencelist=("html",)).get_content()
    assert "Byt na adrese Žluťoučká 5, Plzeň" in text
    assert "9\xa0000\xa0Kč" in html
    assert first["Auto-Submitted"] == "auto-generated"


def test_smtp_reconnects_when_the_relay_dropped_the_connection(smtp: SmtpServer) -> None:
    sender = SmtpSender(SmtpConfig(host="127.0.0.1", port=smtp.port))
    sender.send(email("<a@test>"))
    assert sender._smtp is not None
    sender._smtp.sock.close()  # the relay hung up meanwhile
    sender.send(email("<b@test>"))
    assert smtp.recorder.ids == ["<a@test>", "<b@test>"]


def test_smtp_down_raises_an_os_error() -> None:
    sender = SmtpSender(SmtpConfig(host="127.0.0.1", port=free_port(), timeout_seconds=2))
    with pytest.raises(OSError):
        sender.send(email())


LOGIN = {"user": "agentura", "password": "heslo"}


def _authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"agentura", b"heslo")
    return AuthResult(success=ok)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_smtp_logs_in() -> None:
    recorder = MailRecorder()
    controller = Controller(
        recorder,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=_authenticator,
        auth_required=True,
        auth_require_tls=False,
        # aiosmtpd's LOGIN ignores smtplib's initial response; PLAIN is what relays offer.
        auth_exclude_mechanism=["LOGIN"],
    )
    controller.start()
    try:
        anonymous = SmtpConfig(host="127.0.0.1", port=controller.port)
        with pytest.raises(smtplib.SMTPSenderRefused, match="Authentication required"):
            SmtpSender(anonymous).send(email())
        SmtpSender(SmtpConfig(**(anonymous.__dict__ | LOGIN))).send(email())
    finally:
        controller.stop()
    assert recorder.ids == ["<1@test>"]


def test_file_sender_writes_files_the_admin_can_list_and_read(tmp_path: Path) -> None:
    sender = FileSender(tmp_path / "mail")
    sender.send(email("<a@test>"))
    sender.send(email("<b@test>", language="en"))
    sender.send(email("<a@test>"))  # a re-send after a crash replaces, not adds
    summaries = list_mail(tmp_path / "mail")
    assert sorted(s.message_id for s in summaries) == ["<a@test>", "<b@test>"]
    english = next(s for s in summaries if s.message_id == "<b@test>")
    assert english.subject == "Flat available for 61\xa0days: Žluťoučká 5, Plzeň"
    content = read_mail(tmp_path / "mail", english.name)
    assert "has been available for 61" in content.text
    assert content.html is not None and content.html.startswith("<!doctype html>")


@pytest.mark.parametrize(
    "name", ["../secret_key", "..%2Fsecret_key", "/etc/passwd", "a" * 32 + ".txt", ""]
)
def test_read_mail_refuses_any_other_name(tmp_path: Path, name: str) -> None:
    (tmp_path / "secret_key").write_text("x")
    (tmp_path / "mail").mkdir()
    with pytest.raises(NotFound):
        read_mail(tmp_path / "mail", name)


def test_listing_a_missing_folder_is_empty(tmp_path: Path) -> None:
    assert list_mail(tmp_path / "nothing") == []


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, as a private relay might have."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "relay.test")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "relay.pem", tmp_path / "relay.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.mark.parametrize("mode", ["starttls", "tls"])
def test_smtp_over_tls_verifies_the_relay(tmp_path: Path, mode: str) -> None:
    cert, key = _self_signed(tmp_path)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    recorder = MailRecorder()
    options: dict[str, Any] = (
        {"tls_context": server_context, "require_starttls": True}
        if mode == "starttls"
        else {"ssl_context": server_context}
    )
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    try:
        config = SmtpConfig(host="127.0.0.1", port=controller.port, **{mode: True})
        with pytest.raises(ssl.SSLCertVerificationError):
            SmtpSender(config).send(email("<untrusted@test>"))
        SmtpSender(SmtpConfig(**(config.__dict__ | {"ca_file": str(cert)}))).send(email())
    finally:
        controller.stop()
    assert recorder.ids == ["<1@test>"]
