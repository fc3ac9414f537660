"""A small closed-loop HTTP/1.1 load generator on asyncio streams (keep-alive, N connections).

Lighter than an HTTP client library, so that on a 2-core machine most of the CPU goes to the server.
Only for this project's own server on the loopback address; bounded in requests and in time.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass

from benchmarks.common import percentile


@dataclass
class LoadResult:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def p(self, q: float) -> float:
        return percentile(self.latencies_ms, q)


async def _worker(host: str, port: int, paths: Sequence[str], start: int, step: int, headers: str,
                  deadline: float, budget: list[int], latencies: list[float], errors: list[int]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    i = start
    try:
        while budget[0] > 0 and time.perf_counter() < deadline:
            budget[0] -= 1
            path = paths[i % len(paths)]
            i += step
            began = time.perf_counter()
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n{headers}\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await reader.readexactly(length)
            latencies.append((time.perf_counter() - began) * 1000)
            if status != 200:
                errors[0] += 1
    finally:
        writer.close()


async def _run(host: str, port: int, paths: Sequence[str], headers: dict[str, str], connections: int,
               requests: int, max_seconds: float) -> LoadResult:
    header_text = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    latencies: list[float] = []
    errors = [0]
    budget = [requests]
    began = time.perf_counter()
    deadline = began + max_seconds
    await asyncio.gather(*(
        _worker(host, port, paths, n, connections, header_text, deadline, budget, latencies, errors)
        for n in range(connections)
    ))
    return LoadResult(len(latencies), errors[0], time.perf_counter() - began, latencies)


def run_load(host: str, port: int, paths: Sequence[str], *, headers: dict[str, str], connections: int = 16,
             requests: int = 10_000, max_seconds: float = 30.0) -> LoadResult:
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError("load tests only target this machine's loopback address")
    return asyncio.run(_run(host, port, paths, headers, connections, requests, max_seconds))
