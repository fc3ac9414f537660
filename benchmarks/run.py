"""``make bench``: runs every benchmarks/bench_*.py, prints a table of figures, writes results/latest.json."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def main() -> int:
    only = set(sys.argv[1:])
    failed: list[str] = []
    results = ROOT / "results"
    results.mkdir(parents=True, exist_ok=True)
    for script in sorted(ROOT.glob("bench_*.py")):
        if only and script.stem not in only:
            continue
        print(f"== {script.stem}", flush=True)
        began = time.perf_counter()
        figures: list[dict[str, object]] = []
        result = subprocess.run(
            [sys.executable, "-m", f"benchmarks.{script.stem}"], cwd=ROOT.parent, capture_output=True, text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT.parent)}, check=False,
        )
        for line in result.stdout.splitlines():
            if line.startswith("{"):
                figure = json.loads(line)
                figures.append(figure)
                print("   " + "  ".join(f"{k}={v}" for k, v in figure.items()), flush=True)
        if result.returncode != 0:
            failed.append(script.stem)
            print(result.stderr[-2000:], file=sys.stderr)
        else:
            (results / f"{script.stem}.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
        print(f"   ({time.perf_counter() - began:.0f} s)", flush=True)
    # latest.json: the newest figures of every script, so that one script can be rerun alone.
    merged = [f for path in sorted(results.glob("bench_*.json")) for f in json.loads(path.read_text("utf-8"))]
    out = results / "latest.json"
    out.write_text(json.dumps(merged, indent=2) + "\n", encoding="utf-8")
    print(f"figures written to {out}")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
