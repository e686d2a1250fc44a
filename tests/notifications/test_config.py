"""Mail settings from the environment, and the retry policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from notifications.config import RetryPolicy, mail_config_from_env
from notifications.senders import FileSender, MemorySender, SmtpSender, make_sender


def test_defaults_write_files_under_var() -> None:
    config = mail_config_from_env({}, var_dir=Path("/srv/agency/var"))
    assert config.backend == "file"
    assert config.mail_dir == Path("/srv/agency/var/mail")
    assert isinstance(make_sender(config), FileSender)


def test_smtp_settings_are_read() -> None:
    env = {
        "MAIL_BACKEND": "SMTP",
        "SMTP_HOST": "relay.example",
        "SMTP_STARTTLS": "1",
        "SMTP_USER": "agentura",
        "SMTP_PASSWORD": "tajné",
        "MAIL_FROM": "Agentura <info@agentura.example>",
        "BASE_URL": "https://agentura.example/",
        "MAIL_MAX_ATTEMPTS": "5",
        "SMTP_CA_FILE": "/etc/agency/relay-ca.pem",
    }
    config = mail_config_from_env(env)
    assert (config.backend, config.smtp.host, config.smtp.port) == ("smtp", "relay.example", 587)
    assert config.smtp.starttls and not config.smtp.tls
    assert (config.smtp.user, config.smtp.password) == ("agentura", "tajné")
    assert "tajné" not in repr(config)
    assert config.base_url == "https://agentura.example"
    assert config.retry.max_attempts == 5
    assert config.smtp.ca_file == "/etc/agency/relay-ca.pem"
    assert isinstance(make_sender(config), SmtpSender)


def test_implicit_tls_defaults_to_port_465() -> None:
    assert mail_config_from_env({"SMTP_TLS": "true"}).smtp.port == 465


def test_memory_backend() -> None:
    assert isinstance(make_sender(mail_config_from_env({"MAIL_BACKEND": "memory"})), MemorySender)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MAIL_BACKEND": "pigeon"}, "MAIL_BACKEND"),
        ({"SMTP_PORT": "twenty-five"}, "SMTP_PORT"),
        ({"SMTP_STARTTLS": "1", "SMTP_TLS": "1"}, "not both"),
        ({"SMTP_TLS": "maybe"}, "SMTP_TLS"),
        ({"MAIL_MAX_ATTEMPTS": "-1"}, "negative"),
    ],
)
def test_malformed_values_are_refused(env: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        mail_config_from_env(env)


def test_backoff_doubles_up_to_the_cap() -> None:
    policy = RetryPolicy(base_seconds=30, cap_seconds=600, max_attempts=10)
    delays = [policy.delay_seconds(n) for n in range(1, 8)]
    assert delays == [30, 60, 120, 240, 480, 600, 600]
    assert policy.delay_seconds(10_000) == 600
