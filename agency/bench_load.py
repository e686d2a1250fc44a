"""Load benchmark: the web app on a national-scale PostgreSQL database under concurrent clients.

    .venv/bin/python -m agency.bench_load [--reuse] [--clients 50] [--seconds 60] [--workers 3]

Creates the database `agency_load` (on DATABASE_URL's server, else 127.0.0.1:5432), migrates
it and COPYs (`agency.bench_load_data`) 100,000 households and 100,000 flats with landlords,
members, areas, matches in every open and closed status, leases, rent, visits, barriers,
summaries and users (staff, social workers of eight organisations, a platform member, a
landlord). `--reuse` keeps a
database seeded with the same sizes (it is only upgraded). Then it serves the real app with
uvicorn on loopback (RUN_SCHEDULER=0), logs each client in as the role that uses the page,
drives the list and queue pages and the API for `--seconds` and prints, per page, requests,
errors, p50/p95/p99 and p95 against /health's p95 measured in the same run, then the verdict
against the target (p95 <= 50 ms on every list and queue page, no errors) and the CPU seconds
of the web workers, PostgreSQL and the load generator; the same goes to var/bench_load.json.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.engine import Engine

from agency.bench_client import LeanClient, TransportError
from agency.bench_load_data import (
    ORGANISATIONS,
    PASSWORD,
    STAFF_IDS,
    database_url,
    prepare,
    seeded_sizes,
)
from agency.bench_summary import (
    SEED,
    _admin_url,
)

# --- the server -------------------------------------------------------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(url: str, *, port: int, workers: int) -> subprocess.Popen[bytes]:
    """uvicorn with `workers` processes on loopback, in its own process group."""
    env = os.environ | {
        "DATABASE_URL": url,
        "RUN_SCHEDULER": "0",
        "SECRET_KEY": os.urandom(32).hex(),
        "AGENCY_VAR_DIR": str(Path("var") / "bench_load"),
        "MAIL_BACKEND": "memory",
    }
    command = [sys.executable, "-m", "web.cli", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(workers), "--log-level", "warning"]
    return subprocess.Popen(command, env=env, start_new_session=True)


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


async def wait_healthy(base: str, server: subprocess.Popen[bytes], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(base_url=base, timeout=5) as client:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise SystemExit("the server exited before answering /health")
            try:
                if (await client.get("/health")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.3)
    raise SystemExit("the server did not answer /health in time")


# --- the clients ------------------------------------------------------------------------------

# Who uses which page: (label, path); "{page}" becomes a page number, "{orp}" / "{kraj}" the
# ORP and kraj of the most populous place.
PAGES: dict[str, tuple[tuple[str, str], ...]] = {
    "staff": (
        ("flats list", "/staff/flats"),
        ("flats list, page n", "/staff/flats?page={page}"),
        ("flats list, status", "/staff/flats?status=available"),
        ("flats list, kraj", "/staff/flats?kraj={kraj}"),
        ("flats list, search", "/staff/flats?q=ulice+4711"),
        ("vetting queue", "/staff/flats?status=submitted"),
        ("sign-off queue", "/signoff"),
        ("sign-off queue, page n", "/signoff?page={page}"),
        ("dashboard (staff)", "/dashboard"),
        ("households (staff)", "/households"),
        ("leases (staff)", "/leases"),
        ("visit calendar (staff)", "/visits"),
        ("api flats", "/api/v1/flats?page={page}"),
        ("api flats, status", "/api/v1/flats?status=available"),
        ("api landlords", "/api/v1/landlords?page={page}"),
        ("api matches (staff)", "/api/v1/matches?status=proposed"),
    ),
    "social_worker": (
        ("households list", "/households"),
        ("households list, page n", "/households?page={page}"),
        ("households list, status", "/households?status=waiting"),
        ("households list, ORP", "/households?orp={orp}"),
        ("offers", "/offers"),
        ("offers, approved", "/offers?status=approved"),
        ("leases", "/leases"),
        ("leases, in arrears", "/leases?arrears=1"),
        ("visit calendar", "/visits"),
        ("dashboard", "/dashboard"),
        ("api households", "/api/v1/households?page={page}"),
        ("api matches", "/api/v1/matches"),
        ("api leases", "/api/v1/leases"),
        ("api visits", "/api/v1/visits"),
    ),
    "platform_member": (
        ("summaries list", "/summaries"),
        ("api summaries", "/api/v1/summaries"),
    ),
    "landlord": (("landlord portal", "/portal"),),
}
HEALTH = ("health (baseline)", "/health")
ACCOUNTS = {
    "staff": [f"staff{i}@load.cz" for i in STAFF_IDS],
    "social_worker": [f"sw{i}@load.cz" for i in range(1, ORGANISATIONS + 1)],
    "platform_member": ["platform@load.cz"],
    "landlord": ["landlord@load.cz"],
}
# Ten clients in a row: five social workers, three staff, a platform member, a landlord.
CLIENT_ROLES = ("social_worker",) * 5 + ("staff",) * 3 + ("platform_member", "landlord")


async def log_in(base: str, email: str) -> dict[str, str]:
    """The cookies (session, CSRF) of `email` logged in through the real login form."""
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        await client.get("/login")
        token = client.cookies.get("csrftoken") or ""
        answer = await client.post(
            "/login",
            data={"email": email, "password": PASSWORD, "_csrf_token": token},
            headers={"x-csrftoken": token},
        )
        if answer.status_code != 303:
            raise SystemExit(f"logging in as {email} failed: HTTP {answer.status_code}")
        return dict(client.cookies.items())


@dataclass
class Samples:
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    codes: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    cpu: dict[str, float] = field(default_factory=dict)


class CpuMeter:
    """CPU seconds spent by the web workers, by PostgreSQL (every postgres process of the
    machine) and by this load generator between `start` and `stop`."""

    def __init__(self, server_pid: int) -> None:
        self.workers = processes("python", parent=server_pid) or [server_pid]
        self.before: dict[str, dict[int, float]] = {}
        self.own = 0.0

    def _read(self) -> dict[str, dict[int, float]]:
        postgres = cpu_seconds(processes("postgres"))
        return {"web workers": cpu_seconds(self.workers), "postgres": postgres}

    def start(self) -> None:
        self.before, self.own = self._read(), time.process_time()

    def stop(self) -> dict[str, float]:
        spent = {k: cpu_spent(self.before[k], now) for k, now in self._read().items()}
        return spent | {"load generator": round(time.process_time() - self.own, 1)}


async def drive(
    client: LeanClient,
    pages: tuple[tuple[str, str], ...],
    fill: dict[str, str],
    window: tuple[float, float],
    samples: Samples,
    rng: random.Random,
    think: float,
) -> None:
    """Request random pages of the role until the window closes; record those inside it.
    Between two pages the client reads for `think` seconds on average (0: back to back)."""
    start, end = window
    choices = (*pages, HEALTH)
    while (now := time.monotonic()) < end:
        if think > 0:
            await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))
            now = time.monotonic()
        label, path = rng.choice(choices)
        path = path.format(page=rng.randint(2, 200), **fill)
        began = time.perf_counter()
        try:
            status = await client.get(path)
        except TransportError as exc:
            status, reason = 0, str(exc)
        else:
            reason = str(status)
        elapsed = (time.perf_counter() - began) * 1000
        if now < start:
            continue
        samples.times[label].append(elapsed)
        if not 200 <= status < 400:
            samples.errors[label] += 1
            samples.codes[label].add(reason)


async def run_load(
    base: str,
    *,
    clients: int,
    seconds: float,
    warmup: float,
    fill: dict[str, str],
    think: float = 0.0,
    meter: CpuMeter | None = None,
) -> Samples:
    cookies = {email: await log_in(base, email) for emails in ACCOUNTS.values() for email in emails}
    samples = Samples()
    start = time.monotonic() + warmup
    tasks = []
    clients_made: list[LeanClient] = []
    for n in range(clients):
        role = CLIENT_ROLES[n % len(CLIENT_ROLES)]
        emails = ACCOUNTS[role]
        # Each simulated user has a connection of its own, as a browser would.
        client = LeanClient(base, cookies[emails[(n // len(CLIENT_ROLES)) % len(emails)]])
        clients_made.append(client)
        rng = random.Random(SEED + n)
        window = (start, start + seconds)
        tasks.append(drive(client, PAGES[role], fill, window, samples, rng, think))

    async def metered() -> None:
        if meter is not None:
            await asyncio.sleep(max(0.0, start - time.monotonic()))
            meter.start()

    # The generator's own garbage collections would stop every client at once and count as
    # the server's time (a full one took 85 ms here): none while the users run.
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        await asyncio.gather(metered(), *tasks)
    finally:
        gc.enable()
        gc.unfreeze()
    if meter is not None:
        samples.cpu = meter.stop()
    for made in clients_made:
        await made.close()
    return samples


# --- the report -------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (share in 0..1) of non-empty `values`."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def summarise(samples: Samples) -> list[dict[str, Any]]:
    health = samples.times.get(HEALTH[0]) or [float("nan")]
    base = percentile(health, 0.95)
    order = [HEALTH[0]] + [label for pages in PAGES.values() for label, _ in pages]
    rows = []
    for label in order:
        times = samples.times.get(label)
        if not times:
            continue
        p95 = percentile(times, 0.95)
        rows.append(
            {
                "page": label,
                "requests": len(times),
                "errors": samples.errors.get(label, 0),
                "error_codes": sorted(samples.codes.get(label, ())),
                "p50_ms": round(percentile(times, 0.50), 1),
                "p95_ms": round(p95, 1),
                "p99_ms": round(percentile(times, 0.99), 1),
                "p95_vs_health": round(p95 / base, 1),
            }
        )
    return rows


def print_table(rows: list[dict[str, Any]]) -> None:
    header = f"{'page':<28} {'requests':>8} {'errors':>6} {'p50':>7} {'p95':>7} {'p99':>7}"
    header += f" {'×health':>8}"
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r['page']:<28} {r['requests']:>8} {r['errors']:>6} {r['p50_ms']:>7.1f} "
            f"{r['p95_ms']:>7.1f} {r['p99_ms']:>7.1f} {r['p95_vs_health']:>8.1f}"
        )
    for r in rows:
        if r["errors"]:
            print(f"errors on {r['page']}: {', '.join(r['error_codes'])}")


TARGET_P95_MS = 50.0
TARGET_CLIENTS, TARGET_SECONDS = 50, 60


def verdict(
    rows: list[dict[str, Any]], samples: Samples, *, clients: int, seconds: float
) -> dict[str, Any]:
    """The issue's target: p95 <= 50 ms on every list and queue page (every page but
    /health), and no errors anywhere."""
    pages = [r for r in rows if r["page"] != HEALTH[0]]
    pooled = [t for label, times in samples.times.items() if label != HEALTH[0] for t in times]
    over = [r["page"] for r in pages if r["p95_ms"] > TARGET_P95_MS]
    errors = sum(r["errors"] for r in rows)
    return {
        "target_p95_ms": TARGET_P95_MS,
        "pooled_p95_ms": round(percentile(pooled, 0.95), 1) if pooled else None,
        "worst_page": max(pages, key=lambda r: r["p95_ms"])["page"] if pages else None,
        "worst_p95_ms": max((r["p95_ms"] for r in pages), default=None),
        "pages_over_target": over,
        "errors": errors,
        "pages": len(pages),
        # Judged only for the target's own conditions (None otherwise).
        "met": (not over and errors == 0 and bool(pages))
        if clients >= TARGET_CLIENTS and seconds >= TARGET_SECONDS
        else None,
    }


def _target_words(met: bool, clients: int, seconds: float) -> str:
    """The target holds for 50 concurrent clients over 60 s; a smaller run is not judged."""
    if clients < TARGET_CLIENTS or seconds < TARGET_SECONDS:
        return f"not judged (the target is for {TARGET_CLIENTS} clients over {TARGET_SECONDS} s)"
    return "target met" if met else "target NOT met"


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU seconds of each of the processes `pids` still running."""
    tick = os.sysconf("SC_CLK_TCK")
    found = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / tick
    return found


def cpu_spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds spent between two readings (a process born meanwhile counts whole)."""
    return round(sum(used - before.get(pid, 0.0) for pid, used in after.items()), 1)


def processes(name: str, parent: int | None = None) -> list[int]:
    """Pids of running processes called `name` (children of `parent` when given)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        command, rest = stat.split("(", 1)[1].rsplit(")", 1)
        if command.startswith(name) and (parent is None or int(rest.split()[1]) == parent):
            found.append(int(entry.name))
    return found


def load_average() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def place_filters(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        orp, kraj = conn.exec_driver_sql(
            "SELECT orp_code, kraj_code FROM municipality ORDER BY population DESC LIMIT 1"
        ).one()
    return {"orp": str(orp), "kraj": str(kraj)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--admin-url", default=None)
    parser.add_argument("--reuse", action="store_true", help="keep a seeded agency_load")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=5)
    # Three on two cores: a third process runs while the others wait on PostgreSQL or on their
    # own GIL (docs/load.md, "Workers": 0–2 pages over the target against 1–6 with two).
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="seconds a client reads a page before the next, on average (0: back to back)",
    )
    parser.add_argument("--output", default=str(Path("var") / "bench_load.json"))
    args = parser.parse_args(argv)
    admin = _admin_url(args.admin_url)
    engine, seeded = prepare(admin, reuse=args.reuse)
    sizes = seeded_sizes(engine)
    print("seeded in " + (f"{seeded:.1f} s" if seeded else "an earlier run (--reuse)"), sizes)
    fill = place_filters(engine)
    engine.dispose()
    port = _free_port()
    server = start_server(database_url(admin), port=port, workers=args.workers)
    base = f"http://127.0.0.1:{port}"
    try:
        asyncio.run(wait_healthy(base, server))
        before = load_average()
        samples = asyncio.run(
            run_load(
                base,
                clients=args.clients,
                seconds=args.seconds,
                warmup=args.warmup,
                fill=fill,
                think=args.think,
                meter=CpuMeter(server.pid),
            )
        )
        after = load_average()
    finally:
        stop_server(server)
    rows = summarise(samples)
    total = sum(r["requests"] for r in rows)
    print_table(rows)
    judged = verdict(rows, samples, clients=args.clients, seconds=args.seconds)
    print(
        f"list and queue pages: pooled p95 {judged['pooled_p95_ms']} ms, worst "
        f"{judged['worst_page']} {judged['worst_p95_ms']} ms, "
        f"{len(judged['pages_over_target'])} of {judged['pages']} over "
        f"{TARGET_P95_MS:.0f} ms, {judged['errors']} errors: "
        + _target_words(bool(judged["met"]), args.clients, args.seconds)
    )
    print(
        "CPU seconds during the measured window ("
        + ", ".join(f"{k} {v}" for k, v in samples.cpu.items())
        + f") in {args.seconds:.0f} s on {os.cpu_count()} cores"
    )
    print(
        f"{total} requests in {args.seconds:.0f} s ({total / args.seconds:.0f}/s), "
        f"{args.clients} clients thinking {args.think} s, {args.workers} workers, "
        f"{os.cpu_count()} cores, "
        f"load average before {before} after {after}"
    )
    command = ".venv/bin/python -m agency.bench_load" + "".join(f" {a}" for a in sys.argv[1:])
    report = {
        "command": command,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "clients": args.clients,
        "think_seconds": args.think,
        "seconds": args.seconds,
        "workers": args.workers,
        "cores": os.cpu_count(),
        "load_average_before": before,
        "load_average_after": after,
        "sizes": sizes,
        "requests_per_second": round(total / args.seconds, 1),
        "verdict": judged,
        "cpu_seconds": samples.cpu,
        "pages": rows,
    }
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"written to {output}")
    print(f"command: {command}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
