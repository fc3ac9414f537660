"""Helpers shared by the benchmark scripts: timing, cached populations, JSON output."""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow.csv as pacsv

from citizenid.synth import generate_population

ROOT = Path(__file__).resolve().parent
CACHE = ROOT / "results" / "cache"


def people() -> int:
    return int(os.environ.get("BENCH_PEOPLE", "1000000"))


def emit(name: str, **figures: Any) -> None:
    """One JSON line per figure: run.py collects them into the table and results/latest.json."""
    print(json.dumps({"name": name, **figures}), flush=True)


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def median(values: list[float]) -> float:
    return statistics.median(values)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def population_csv(count: int, seed: int = 20250701) -> Path:
    """The synthetic population as a CSV file, generated once per size and seed."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"people-{count}-{seed}.csv"
    if not path.exists():
        table = generate_population(count, seed=seed)
        tmp = path.with_suffix(".tmp")
        pacsv.write_csv(table, tmp)
        tmp.rename(path)
    return path
