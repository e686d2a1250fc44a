"""Real Chromium (Debian's package) driven by Playwright against the app on a loopback port.

Without Chromium the browser tests skip with one line; with REQUIRE_BROWSER=1 they fail.
Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Page
from sqlalchemy.engine import Engine

from agency.passwords import make_hasher
from web.app import create_app
from web.settings import Settings

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _require_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"Chromium not found at {CHROMIUM} and REQUIRE_BROWSER=1")
    pytest.skip("Chromium not installed (apt-get install chromium); browser tests skipped")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    _require_chromium()
    args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": args}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def live_url(web_engine: Engine, tmp_path: Path) -> Iterator[str]:
    """The app served by uvicorn on a free loopback port, over a fresh database."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    settings = Settings(
        database_url="sqlite://",
        secret_key="browser-secret",
        var_dir=tmp_path,
        base_url=url,
        port=port,
    )
    app = create_app(settings, engine=web_engine, hasher=make_hasher(cheap=True))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the app did not start"
    yield url
    server.should_exit = True
    thread.join(timeout=10)


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot as a test artifact."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
