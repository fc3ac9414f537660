"""The exchange's hot path over HTTP: partner verifications (yes/no) on N people (BENCH_PEOPLE, default
1,000,000; ``--people 10000000`` for ten million), SQLite, ``BENCH_WORKERS`` uvicorn processes (default 2).

Every request carries a DPoP-bound access token and a fresh DPoP proof (made before the timed run, each
used once), and every verification is committed to the access log before the answer.

- ``exchange.http.ping``: GET /api/v1/ping with an officer's token, the bare authenticated baseline;
- ``exchange.http.partner_ping``: GET /api/v1/exchange/ping, a constant behind partner authentication (access
  token and a DPoP proof checked, rate limit): what the partner's authentication alone costs;
- ``exchange.http.verify``: one verification per request — requests/s, p50/p99, ratio to ping;
- ``exchange.http.verify_batch``: ``BENCH_BATCH`` (default 20) verifications per request — verifications/s,
  request p50/p99, ratio of verifications/s to ping requests/s.

Each figure is the median of three runs.  The load generator runs in this process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path

from benchmarks.bench_register_http import free_port, register_db
from benchmarks.bench_register_http import token as officer_token
from benchmarks.common import emit, median, people, percentile
from citizenid.bootstrap import bootstrap
from citizenid.config import Settings
from citizenid.db.engine import create_engine_for
from citizenid.exchange.domain import Limits
from citizenid.exchange.tokens import ASSERTION_TYPE, PartnerKey

RUNS = 3
SERVICE = "BENCH-EKYC-MOTK"
ACTOR = "cli:bench"


def partner(db: Path) -> tuple[str, PartnerKey]:
    """A bank's service and a new client with unlimited quotas in the benchmark register."""
    url = f"sqlite:///{db}"
    container = bootstrap(Settings(data_dir=db.parent, database_url=url), engine=create_engine_for(url))
    service = container.exchange
    if SERVICE not in {s["service_code"] for s in service.services()}:
        service.add_member(ACTOR, "BENCH", "Ngân hàng thử tải", "bank")
        service.add_subsystem(ACTOR, "BENCH", "BENCH-EKYC", "eKYC")
        service.add_service(ACTOR, "BENCH-EKYC", SERVICE, "Mở tài khoản trực tuyến", legal_basis="Thông tư 17/2024",
                            purpose="nhận biết khách hàng")
        service.grant(ACTOR, SERVICE, "verify", ["full_name", "birth_date", "sex"])
    client_id = f"bench-{uuid.uuid4().hex[:8]}"
    service.add_client(ACTOR, SERVICE, client_id, "bench", limits=Limits(1e9, 10**9, 10**12))
    key = PartnerKey()
    service.add_key(ACTOR, client_id, key.public_jwk)
    container.close()
    return client_id, key


def serve(db: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CITIZENID_DATABASE_URL": f"sqlite:///{db}", "CITIZENID_DATA_DIR": str(db.parent)}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "citizenid.app:app_from_environment", "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(workers), "--log-level", "warning", "--no-access-log"],
        env=env,
    )
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=1)
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the server did not start")


def partner_token(port: int, client_id: str, key: PartnerKey, dpop_key: PartnerKey) -> str:
    url = f"http://127.0.0.1:{port}/api/v1/exchange/oauth/token"
    form = (f"grant_type=client_credentials&client_assertion_type={ASSERTION_TYPE}"
            f"&client_assertion={key.client_assertion(client_id, url)}").encode()
    request = urllib.request.Request(url, method="POST", data=form, headers={
        "content-type": "application/x-www-form-urlencoded", "DPoP": dpop_key.dpop("POST", url)})
    with urllib.request.urlopen(request) as response:
        return str(json.load(response)["access_token"])


def _raw(method: str, path: str, headers: dict[str, str], body: bytes = b"", *, port: int) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}"] + [f"{k}: {v}" for k, v in headers.items()]
    if body:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _worker(port: int, requests: list[bytes], start: int, step: int, latencies: list[float],
                  errors: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for i in range(start, len(requests), step):
            began = time.perf_counter()
            writer.write(requests[i])
            head = await reader.readuntil(b"\r\n\r\n")
            length = next((int(line[15:]) for line in head.split(b"\r\n") if line[:15].lower() == b"content-length:"),
                          0)
            await reader.readexactly(length)
            latencies.append((time.perf_counter() - began) * 1000)
            if head[9:12] != b"200":
                errors.append(int(head[9:12]))
    finally:
        writer.close()


def run_load(port: int, requests: list[bytes], connections: int = 16) -> tuple[float, float, float]:
    """Requests per second, p50 and p99 latency (ms) of a closed loop over prebuilt requests."""
    latencies: list[float] = []
    errors: list[int] = []

    async def main() -> float:
        began = time.perf_counter()
        await asyncio.gather(*(_worker(port, requests, n, connections, latencies, errors)
                               for n in range(connections)))
        return time.perf_counter() - began

    seconds = asyncio.run(main())
    if errors:
        raise RuntimeError(f"{len(errors)} requests failed, e.g. HTTP {errors[0]}")
    return len(latencies) / seconds, percentile(latencies, 50), percentile(latencies, 99)


def best_of(port: int, make: Callable[[int], list[bytes]], count: int,
            connections: int = 16) -> tuple[float, float, float]:
    """Median of three runs; ``make`` builds fresh requests for each (DPoP proofs are single use)."""
    results = []
    run_load(port, make(min(count, 300)), connections)  # warm-up
    for _ in range(RUNS):
        results.append(run_load(port, make(count), connections))
    return (median([r[0] for r in results]), median([r[1] for r in results]), median([r[2] for r in results]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=people(), help="register size (default BENCH_PEOPLE or 1M)")
    args = parser.parse_args()
    count = args.people
    workers = int(os.environ.get("BENCH_WORKERS", "2"))
    requests = int(os.environ.get("BENCH_REQUESTS", "6000"))
    batch = int(os.environ.get("BENCH_BATCH", "20"))
    # A partner's gateway sends batches over a few connections; more would only queue (latency = C / rate).
    batch_connections = int(os.environ.get("BENCH_BATCH_CONNECTIONS", "4"))
    db, numbers, _ = register_db(count)
    sample = _claims(db, numbers)
    client_id, key = partner(db)
    dpop_key = PartnerKey()
    port = free_port()
    server = serve(db, port, workers)
    try:
        officer = {"Authorization": f"Bearer {officer_token(port)}"}
        access = partner_token(port, client_id, key, dpop_key)
        url = f"http://127.0.0.1:{port}"

        def pings(n: int) -> list[bytes]:
            return [_raw("GET", "/api/v1/ping", officer, port=port)] * n

        def partner_pings(n: int) -> list[bytes]:
            path = "/api/v1/exchange/ping"
            return [_raw("GET", path, {"Authorization": f"DPoP {access}",
                                       "DPoP": dpop_key.dpop("GET", f"{url}{path}", access)}, port=port)
                    for _ in range(n)]

        def verifies(n: int) -> list[bytes]:
            path = "/api/v1/exchange/verify"
            return [_raw("POST", path, _partner_headers(dpop_key, access, f"{url}{path}"),
                         json.dumps(sample[i % len(sample)]).encode(), port=port) for i in range(n)]

        def batches(n: int) -> list[bytes]:
            path = "/api/v1/exchange/verify/batch"
            return [_raw("POST", path, _partner_headers(dpop_key, access, f"{url}{path}"), json.dumps(
                {"items": [sample[(i * batch + j) % len(sample)] for j in range(batch)]}).encode(), port=port)
                for i in range(n)]

        ping = best_of(port, pings, requests)
        partner_ping = best_of(port, partner_pings, requests)
        single = best_of(port, verifies, requests)
        grouped = best_of(port, batches, max(300, requests // batch * 2), batch_connections)
    finally:
        server.terminate()
        server.wait(20)
    common = {"people": count, "workers": workers}
    emit("exchange.http.ping", **common, rps=round(ping[0]), p50_ms=round(ping[1], 2), p99_ms=round(ping[2], 2))
    emit("exchange.http.partner_ping", **common, rps=round(partner_ping[0]), p50_ms=round(partner_ping[1], 2),
         p99_ms=round(partner_ping[2], 2), ratio_to_ping=round(partner_ping[0] / ping[0], 2))
    emit("exchange.http.verify", **common, rps=round(single[0]), p50_ms=round(single[1], 2),
         p99_ms=round(single[2], 2), ratio_to_ping=round(single[0] / ping[0], 2))
    emit("exchange.http.verify_batch", **common, batch=batch, connections=batch_connections,
         verifications_per_s=round(grouped[0] * batch),
         requests_per_s=round(grouped[0]), p50_ms=round(grouped[1], 2), p99_ms=round(grouped[2], 2),
         ratio_to_ping=round(grouped[0] * batch / ping[0], 2))


def _partner_headers(dpop_key: PartnerKey, access: str, url: str) -> dict[str, str]:
    return {"Authorization": f"DPoP {access}", "DPoP": dpop_key.dpop("POST", url, access)}


def _claims(db: Path, numbers: list[str]) -> list[dict[str, object]]:
    """What a bank holds about its customers: the register's name (half typed without diacritics), birth
    date and sex, for a random sample of the population."""
    import sqlite3  # noqa: PLC0415

    from citizenid.vntext import fold  # noqa: PLC0415

    rng = random.Random(5)
    chosen = rng.sample(numbers, min(len(numbers), 2000))
    connection = sqlite3.connect(db)
    try:
        rows = []
        for number in chosen:
            family, middle, given, birth, sex = connection.execute(
                "SELECT family_name, middle_name, given_name, birth_date, sex FROM persons WHERE personal_number = ?",
                (number,)).fetchone()
            name = " ".join(p for p in (family, middle, given) if p)
            rows.append({"identifier": number, "attributes": {
                "full_name": fold(name) if len(rows) % 2 else name, "birth_date": birth, "sex": sex}})
        return rows
    finally:
        connection.close()


if __name__ == "__main__":
    main()
