"""Synthetic population generation: people per second for BENCH_PEOPLE people (default 1,000,000).

The median of three runs, after one small warm-up run that loads the reference data.
"""

from __future__ import annotations

from benchmarks.common import emit, median, people, timed
from citizenid.synth import generate_population

RUNS = 3


def main() -> None:
    count = people()
    generate_population(100)
    seconds = median([timed(lambda: generate_population(count)) for _ in range(RUNS)])
    emit("synth.generate", people_per_s=round(count / seconds), count=count)


if __name__ == "__main__":
    main()
