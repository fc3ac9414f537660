"""One pcscd for the PC/SC tests: reuse a live daemon, clear what a dead one left behind, start one if needed."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

RUN = Path("/run/pcscd")
SOCKET = RUN / "pcscd.comm"
PID_FILE = RUN / "pcscd.pid"


def _alive() -> bool:
    try:
        pid = int(PID_FILE.read_text().strip().strip("\x00").strip())  # pcscd ends the file with NUL
        os.kill(pid, 0)
    except (OSError, ValueError):
        return False
    return SOCKET.exists()


def ensure_pcscd() -> None:
    """A daemon that exits by itself when idle (-x), so no test has to stop it under another's feet."""
    if _alive():
        return
    # A daemon that died leaves its socket and pid file; a new one would be mistaken for running.
    for leftover in (SOCKET, PID_FILE):
        leftover.unlink(missing_ok=True)
    subprocess.run(["pcscd", "-x"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=10, check=False)
    for _ in range(100):
        if _alive():
            return
        time.sleep(0.1)
    raise RuntimeError("pcscd did not start")
