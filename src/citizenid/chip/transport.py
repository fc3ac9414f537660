"""How a reader reaches a chip: the :class:`Transport` protocol, in-process and PC/SC implementations."""

from __future__ import annotations

import contextlib
from typing import Any, Protocol

from citizenid.chip.errors import TransportError


class Transport(Protocol):
    def transmit(self, apdu: bytes) -> bytes:
        """Send one command APDU, return the response APDU (data ‖ SW1 SW2)."""
        ...


class InProcessTransport:
    """A virtual chip (anything with ``transmit``) called directly: tests and benchmarks."""

    def __init__(self, chip: Transport, *, trace: list[tuple[bytes, bytes]] | None = None) -> None:
        self._chip = chip
        self._trace = trace

    def transmit(self, apdu: bytes) -> bytes:
        response = self._chip.transmit(apdu)
        if self._trace is not None:
            self._trace.append((apdu, response))
        return response


class PcscTransport:
    """A card in a PC/SC reader (pcscd) through pyscard: a real reader, or vsmartcard's vpcd in tests."""

    def __init__(self, reader_name: str | None = None) -> None:
        try:
            from smartcard.System import readers  # noqa: PLC0415
        except ImportError as error:
            raise TransportError("PC/SC needs pyscard (pip install pyscard) and pcscd") from error
        try:
            available = readers()
        except Exception as error:  # noqa: BLE001 - pyscard raises bare Exceptions when pcscd is down
            raise TransportError(f"PC/SC is not available: {error}") from None
        chosen = [r for r in available if reader_name is None or reader_name in str(r)]
        if not chosen:
            raise TransportError(f"no PC/SC reader matches {reader_name!r}; found {[str(r) for r in available]}")
        try:
            # pcscd can refuse a context for a moment while it starts (SCARD_E_NO_ACCESS): a TransportError
            # like any other, which callers may retry, never a raw pyscard exception.
            self._connection: Any = chosen[0].createConnection()
        except Exception as error:  # noqa: BLE001 - as above
            raise TransportError(f"PC/SC refused a connection to {chosen[0]}: {error}") from None
        try:
            self._connection.connect()
        except Exception as error:  # noqa: BLE001 - as above
            self.close()
            raise TransportError(f"no card in {chosen[0]}: {error}") from None

    def transmit(self, apdu: bytes) -> bytes:
        try:
            data, sw1, sw2 = self._connection.transmit(list(apdu))
        except Exception as error:  # noqa: BLE001 - as above
            raise TransportError(f"card communication failed: {error}") from None
        return bytes(data) + bytes((sw1, sw2))

    def close(self) -> None:
        """Disconnect and release the PC/SC context now rather than in a destructor."""
        with contextlib.suppress(Exception):
            self._connection.disconnect()
        with contextlib.suppress(Exception):
            self._connection.release()
