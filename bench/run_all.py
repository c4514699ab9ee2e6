"""Every performance figure of advisor in one run, each against a baseline from the same run.

    python bench/run_all.py [--runs N] [--skip-tests] [--dataset-mb N]

1-3  bench/bench_core.py: cold `recommend` vs the dependency floor, `--help` vs `import click`,
     10,000 candidates through every rule vs a bare fact look-up per rule;
4    bench/bench_hub.py: 100 uncatalogued candidates against a loopback Hub at 50 ms per
     response, cold and repeated;
5    bench/bench_dataset.py: `--data` on a generated chat JSONL (MB/s, peak RSS);
6    the README's test command (`python -m pytest -q`), in seconds against 150 s.
Each script's own output is shown in full; the summary at the end repeats the figure lines.
Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
TEST_LIMIT_S = 150


def run_script(title: str, args: list[str]) -> list[str]:
    """Run one bench script, echo its output, and return the lines that carry a figure."""
    print(f"\n== {title}: {' '.join(args)}", flush=True)
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    print(result.stdout, end="")
    if result.returncode != 0:
        print(result.stderr, end="")
        return [f"{title}: FAILED (exit {result.returncode})"]
    return [ln for ln in result.stdout.splitlines() if "target" in ln or "x " in ln]


def test_command_seconds() -> str:
    print("\n== 6. README test command: python -m pytest -q", flush=True)
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q"], cwd=ROOT, capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    lines = result.stdout.strip().splitlines()
    tail = lines[-1:] or ["(no output)"]
    for line in lines:  # which tests failed, should any (pytest's short summary)
        if line.startswith(("FAILED", "ERROR")):
            print(line)
    print(tail[0])
    return (
        f"6. python -m pytest -q: {seconds:6.1f} s = {seconds / TEST_LIMIT_S:4.2f}x the "
        f"{TEST_LIMIT_S} s limit on {os.cpu_count()} cores ({tail[0]})"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15, help="runs per timed command (>= 15)")
    parser.add_argument("--dataset-mb", type=int, default=200)
    parser.add_argument("--skip-tests", action="store_true", help="leave out figure 6")
    args = parser.parse_args()
    summary = run_script("1-3. core", [str(BENCH / "bench_core.py"), "--runs", str(args.runs)])
    summary += run_script("4. Hub", [str(BENCH / "bench_hub.py"), "--runs", str(args.runs)])
    summary += run_script(
        "5. --data",
        [
            str(BENCH / "bench_dataset.py"),
            *("--size-mb", str(args.dataset_mb), "--runs", str(args.runs)),
        ],
    )
    if not args.skip_tests:
        summary.append(test_command_seconds())
    print(f"\n== summary (nproc {os.cpu_count()})")
    for text in summary:
        print(text)


if __name__ == "__main__":
    main()
