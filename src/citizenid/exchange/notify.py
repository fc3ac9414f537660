"""How the platform reaches a citizen with a one-time code: a channel interface and its implementations.

Production plugs in the SMS gateway or the VNeID app's push service; the demo and the tests use
:class:`RecordingChannel` (in memory) or :class:`FileChannel` (one JSON line per message in the data
directory, so a person trying the demo can read the code).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from citizenid.db.base import utcnow


@dataclass(frozen=True, slots=True)
class Notification:
    personal_number: str
    purpose: str
    text: str
    code: str


class NotificationChannel(Protocol):
    def send(self, message: Notification) -> None: ...


class RecordingChannel:
    """Keeps every message; tests read the code a citizen would have received."""

    def __init__(self) -> None:
        self.sent: list[Notification] = []
        self._lock = threading.Lock()

    def send(self, message: Notification) -> None:
        with self._lock:
            self.sent.append(message)

    def last_code(self, personal_number: str) -> str:
        with self._lock:
            return next(m.code for m in reversed(self.sent) if m.personal_number == personal_number)


class FileChannel:
    """Appends each message to a JSON-lines file (mode 0600): the embedded demo's stand-in for SMS."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()

    def send(self, message: Notification) -> None:
        line = json.dumps({"at": utcnow().isoformat(), "to": message.personal_number, "purpose": message.purpose,
                           "text": message.text}, ensure_ascii=False)
        with self._lock:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            new = not self._path.exists()
            with self._path.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")
            if new:
                self._path.chmod(0o600)
