"""A real server on loopback with a small register, and Debian's Chromium driven by Playwright.

The server runs as its own process (``citizenid serve``) on a free port, on an SQLite register in a
temporary data directory.  Chromium is the Debian package (``/usr/bin/chromium``); Playwright drives
it through ``executable_path`` and downloads nothing.  Screenshots of the main pages are written to
``test-artifacts/browser/`` (or ``$CITIZENID_ARTIFACTS``) for people to look at.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from citizenid.auth.domain import operator_principal
from citizenid.bootstrap import Container, bootstrap
from citizenid.config import Settings
from citizenid.db.migrate import upgrade
from citizenid.synth import generate_population
from tests.conftest import FAST_ARGON2

PASSWORD = "mat-khau-trinh-duyet-2026"
PASSPHRASE = "browser-tests"
ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.xdist_group("browser")


def chromium_path() -> str | None:
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if Path(candidate).is_file():
            return candidate
    return shutil.which("chromium")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def artifacts() -> Path:
    path = Path(os.environ.get("CITIZENID_ARTIFACTS", ROOT / "test-artifacts")) / "browser"
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass(frozen=True)
class Server:
    url: str
    people: list[dict[str, str]]
    data: Path

    def container(self) -> Container:
        """The same register the server process serves, for work a journey needs done behind the counter."""
        return bootstrap(Settings(data_dir=self.data, keystore_passphrase=PASSPHRASE, biometrics="format-only",
                                  **FAST_ARGON2))

    def last_code(self, number: str) -> str:
        """The one-time code last sent to a citizen (the embedded deployment's message file)."""
        lines = (self.data / "notifications.jsonl").read_text(encoding="utf-8").splitlines()
        text = next(json.loads(line)["text"] for line in reversed(lines) if json.loads(line)["to"] == number)
        return re.findall(r"\b(\d{6})\b", text)[-1]


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("browser-server")
    env = {**os.environ, "CITIZENID_DATA_DIR": str(data), "CITIZENID_KEYSTORE_PASSPHRASE": PASSPHRASE,
           "CITIZENID_BIOMETRICS": "format-only",
           "CITIZENID_ARGON2_MEMORY_KIB": str(FAST_ARGON2["argon2_memory_kib"]),
           "CITIZENID_ARGON2_TIME_COST": str(FAST_ARGON2["argon2_time_cost"])}
    env.pop("CITIZENID_DATABASE_URL", None)
    container = bootstrap(Settings(data_dir=data, keystore_passphrase=PASSPHRASE, biometrics="format-only",
                                   **FAST_ARGON2))
    upgrade(container.engine)
    container.pki.init()
    table = generate_population(300, seed=21)
    container.registry.load_table(operator_principal("test"), table)
    people = table.to_pylist()
    container.auth.add_user("giamsat", PASSWORD, role="supervisor")
    container.auth.add_user("canbo.hn", PASSWORD, role="registrar", province_code="01")
    container.auth.add_user("xuong", PASSWORD, role="production_operator")
    container.close()
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "citizenid.cli", "serve", "--port", str(port)], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/v1/health", timeout=1) as answer:
                if answer.status == 200:
                    break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                _, err = process.communicate(timeout=5)  # closes the pipe too
                pytest.fail(f"the server did not start: {err.decode(errors='replace')[-2000:]}")
            time.sleep(0.2)
    yield Server(url, people, data)
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
    if process.stderr is not None:
        process.stderr.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Chromium for one module of journeys.  Module-scoped on purpose: Playwright's sync API keeps an
    event loop running in the worker's thread while it lives, and code under test that calls
    ``asyncio.run`` (pyHanko's signing) must not run beside it on the same worker."""
    executable = chromium_path()
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is not installed (make test installs it)")
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - only browser tests need it

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True,
                                              args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield launched
        launched.close()
