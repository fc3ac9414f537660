"""The register over HTTP on N people (BENCH_PEOPLE, default 1,000,000), SQLite, one uvicorn worker.

- lookup by personal number: requests/s and p50/p99, with the ratio to GET /api/v1/ping (a bare
  authenticated endpoint returning a constant) measured in the same run;
- name + birth-date search: p50/p99 latency, under the same load and for one client alone.

Each figure is the median of three runs.  The load generator runs in this process on the other core.
"""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from benchmarks.common import CACHE, emit, median, people
from benchmarks.httpload import LoadResult, run_load
from citizenid.auth.domain import operator_principal
from citizenid.bootstrap import bootstrap
from citizenid.config import Settings
from citizenid.db.engine import create_engine_for
from citizenid.db.migrate import upgrade
from citizenid.synth import generate_population_batches
from citizenid.vntext import fold

PASSWORD = "bench-password-long-enough"
RUNS = 3


def register_db(count: int) -> tuple[Path, list[str], list[tuple[str, str]]]:
    """A register of ``count`` people (built once and cached) and samples to query it with."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"register-{count}.db"
    rng = random.Random(7)
    numbers: list[str] = []
    names: list[tuple[str, str]] = []
    build = not path.exists()
    url = f"sqlite:///{path.with_suffix('.building') if build else path}"
    container = None
    if build:
        engine = create_engine_for(url)
        upgrade(engine)
        container = bootstrap(Settings(data_dir=CACHE, database_url=url, argon2_memory_kib=8192), engine=engine)
        container.auth.add_user("bench", PASSWORD, role="supervisor")
    for batch in generate_population_batches(count):
        if container is not None:
            container.registry.load_table(operator_principal("bench"), batch)
        rows = batch.select(["personal_number", "full_name", "birth_date"]).to_pylist()
        for row in rng.sample(rows, min(len(rows), 2000)):
            numbers.append(row["personal_number"])
            names.append((fold(row["full_name"]), row["birth_date"]))
    if container is not None:
        container.close()
        path.with_suffix(".building").rename(path)
    # A register cached by an earlier run is brought to the current schema.
    engine = create_engine_for(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path, numbers, names


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(db: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CITIZENID_DATABASE_URL": f"sqlite:///{db}", "CITIZENID_DATA_DIR": str(db.parent)}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "citizenid.app:app_from_environment", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning", "--no-access-log"],
        env=env,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=1)
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the server did not start")


def token(port: int) -> str:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/auth/token", method="POST",
        data=json.dumps({"username": "bench", "password": PASSWORD}).encode(),
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(request) as response:
        return str(json.load(response)["access_token"])


def best_of(port: int, paths: list[str], headers: dict[str, str], requests: int,
            connections: int = 16) -> tuple[float, float, float]:
    results: list[LoadResult] = []
    run_load("127.0.0.1", port, paths[:500], headers=headers, requests=500)  # warm-up
    for _ in range(RUNS):
        result = run_load("127.0.0.1", port, paths, headers=headers, requests=requests, connections=connections)
        if result.errors:
            raise RuntimeError(f"{result.errors} requests failed on {paths[0]}")
        results.append(result)
    return (median([r.rps for r in results]), median([r.p(50) for r in results]),
            median([r.p(99) for r in results]))


def main() -> None:
    count = people()
    db, numbers, names = register_db(count)
    port = free_port()
    server = serve(db, port)
    try:
        headers = {"Authorization": f"Bearer {token(port)}"}
        requests = int(os.environ.get("BENCH_REQUESTS", "6000"))
        ping = best_of(port, ["/api/v1/ping"], headers, requests)
        lookup = best_of(port, [f"/api/v1/persons/{n}" for n in numbers], headers, requests)
        searches = [f"/api/v1/persons?name={n.replace(' ', '+')}&birth_date={b}" for n, b in names if len(b) == 10]
        search = best_of(port, searches, headers, requests)
        # Latency as one officer sees it: one request at a time, no queueing behind other clients.
        search_alone = best_of(port, searches[::-1], headers, requests // 3, connections=1)
    finally:
        server.terminate()
        server.wait(10)
    emit("register.http.ping", people=count, rps=round(ping[0]), p50_ms=round(ping[1], 2), p99_ms=round(ping[2], 2))
    emit("register.http.lookup", people=count, rps=round(lookup[0]), p50_ms=round(lookup[1], 2),
         p99_ms=round(lookup[2], 2), ratio_to_ping=round(lookup[0] / ping[0], 2))
    emit("register.http.search", people=count, rps=round(search[0]), p50_ms=round(search[1], 2),
         p99_ms=round(search[2], 2))
    emit("register.http.search.one_client", people=count, p50_ms=round(search_alone[1], 2),
         p99_ms=round(search_alone[2], 2))


if __name__ == "__main__":
    main()
