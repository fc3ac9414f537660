"""Put a virtual chip into a PC/SC reader: a client of vsmartcard's ``vpcd`` reader driver.

``vpcd`` (Debian package vsmartcard-vpcd) is a pcscd reader driver that listens on TCP (35963 by default)
for a "virtual ICC".  Every message is a two-byte big-endian length and a body; a one-byte body is a
control code (0 power off, 1 power on, 2 reset, 4 ask for the ATR), anything longer is a command APDU
to answer.  With this bridge running, any PC/SC application — including ``citizenid chip read`` —
reads the virtual chip exactly as it would read a card on the desk.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time

from citizenid.chip.errors import TransportError
from citizenid.chip.transport import Transport

# T=1, no historical bytes: TS 3B, T0 80, TD1 80, TD2 01, TCK.
ATR = bytes.fromhex("3B80800101")
DEFAULT_PORT = 35963
_QUICKACK: int | None = getattr(socket, "TCP_QUICKACK", None)


class VpcdBridge:
    def __init__(self, chip: Transport, host: str = "127.0.0.1", port: int = DEFAULT_PORT) -> None:
        self._chip = chip
        self._address = (host, port)
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def start(self, timeout: float = 10.0) -> None:
        """Connect to vpcd (waiting for it to listen) and serve in a background thread."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                self._socket = socket.create_connection(self._address, timeout=1.0)
                # Each APDU is one small write answered at once: Nagle's algorithm would add ~40 ms to each.
                self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                break
            except OSError as error:
                if time.monotonic() > deadline:
                    raise TransportError(f"vpcd is not listening on {self._address}: {error}") from None
                time.sleep(0.1)
        self._thread = threading.Thread(target=self._serve, name="vpcd-bridge", daemon=True)
        self._thread.start()

    def _receive(self, sock: socket.socket, size: int) -> bytes | None:
        data = b""
        while len(data) < size:
            try:
                if _QUICKACK is not None:
                    # vpcd writes the length and the APDU separately; acknowledging at once spares it
                    # waiting out our delayed ACK (~40 ms) before it may send the second part.
                    sock.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)
                chunk = sock.recv(size - len(data))
            except TimeoutError:
                if self._stop.is_set():
                    return None
                continue
            except OSError:
                return None  # vpcd went away or we were stopped
            if not chunk:
                return None
            data += chunk
        return data

    def _serve(self) -> None:
        sock = self._socket
        assert sock is not None
        while not self._stop.is_set():
            header = self._receive(sock, 2)
            if header is None:
                return
            body = self._receive(sock, int.from_bytes(header, "big"))
            if body is None:
                return
            if len(body) == 1:
                if body[0] == 4:
                    sock.sendall(len(ATR).to_bytes(2, "big") + ATR)
                continue  # power on / off / reset need no answer
            response = self._chip.transmit(body)
            try:
                sock.sendall(len(response).to_bytes(2, "big") + response)
            except OSError:
                return

    def stop(self) -> None:
        self._stop.set()
        if self._socket is not None:
            with contextlib.suppress(OSError):
                self._socket.shutdown(socket.SHUT_RDWR)
            self._socket.close()
        if self._thread is not None:
            self._thread.join(timeout=5)
