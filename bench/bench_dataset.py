"""Benchmark `--data` inspection on a generated chat JSON Lines file (default 200 MB).

    python bench/bench_dataset.py [--size-mb N] [--runs N] [--keep]

Writes the file in a temporary folder (deleted afterwards unless --keep), then times whole
processes, start-up included (interpreter, imports, reading, parsing, the profile): the
baselines `wc -l FILE` and a plain Python read of the file counting newlines, and
profile_dataset on the file. Each is run --runs times in the same page cache; the medians are
printed with MB/s, the child's peak RSS (from wait4) and the ratio to the baselines.
Targets: >= 400 MB/s and peak RSS < 100 MB, rows counted exactly.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_MB_S = 400
TARGET_RSS_MB = 100

_CHILD_PROFILE = """
import json, sys
from advisor.dataset import profile_dataset
print(json.dumps(profile_dataset(sys.argv[1]).to_json()))
"""
_CHILD_BASELINE = """
import sys
lines = 0
with open(sys.argv[1], "rb") as stream:
    while block := stream.read(4 << 20):
        lines += block.count(b"\\n")
print(lines)
"""

_WORDS = [
    "the",
    "model",
    "should",
    "answer",
    "in",
    "a",
    "short",
    "and",
    "friendly",
    "tone",
    "please",
    "summarise",
    "this",
    "contract",
    "clause",
    "about",
    "liability",
    "termination",
    "notice",
    "period",
    "payment",
    "terms",
    "invoice",
    "router",
    "firmware",
    "password",
    "reset",
    "channel",
    "congestion",
    "überprüfen",
    "café",
    "naïve",
    "日本語",
    "テキスト",
]


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(words))


def _pool(rng: random.Random, size: int) -> list[bytes]:
    """Distinct realistic rows (chat, varied lengths) to write in random order."""
    rows = []
    for _ in range(size):
        turns = [{"role": "system", "content": "You are a helpful support assistant."}]
        for _ in range(rng.choice((1, 1, 2, 3))):
            turns.append({"role": "user", "content": _sentence(rng, rng.randint(5, 80))})
            words = int(rng.lognormvariate(4.5, 0.8))  # long tail, median ~90 words
            turns.append({"role": "assistant", "content": _sentence(rng, words)})
        rows.append(json.dumps({"messages": turns}, ensure_ascii=False).encode() + b"\n")
    return rows


def generate(path: Path, size_mb: int) -> int:
    rng = random.Random(42)
    pool = _pool(rng, 4000)
    longest = json.dumps({"messages": [{"role": "user", "content": "x" * 200_000}]}) + "\n"
    target = size_mb << 20
    written = rows = 0
    with path.open("wb") as out:
        while written < target:
            batch = b"".join(rng.choices(pool, k=2000))
            out.write(batch)
            written += len(batch)
            rows += 2000
            if rows == 100_000:  # one very long example somewhere in the middle
                out.write(longest.encode())
                written += len(longest)
                rows += 1
    return rows


def run_timed(command: list[str]) -> tuple[float, float, float, str]:
    """(wall seconds, CPU seconds, peak RSS MB, stdout) of one whole process. CPU time (user +
    sys) is printed too: on a shared machine the wall clock also counts other people's work."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode:
            raise SystemExit(f"{command[:3]} failed with exit code {proc.returncode}")
        out.seek(0)
        cpu = usage.ru_utime + usage.ru_stime
        return seconds, cpu, usage.ru_maxrss / 1024, out.read().decode()


def median_run(command: list[str], runs: int) -> tuple[float, float, float, str]:
    results = [run_timed(command) for _ in range(runs)]
    wall = statistics.median(r[0] for r in results)
    cpu = statistics.median(r[1] for r in results)
    return wall, cpu, max(r[2] for r in results), results[-1][3]


def _line(name: str, size_mb: float, wall: float, cpu: float, rss: float) -> str:
    return (
        f"  {name:<16}{wall:6.3f} s wall {size_mb / wall:6,.0f} MB/s | {cpu:6.3f} s CPU "
        f"{size_mb / cpu:6,.0f} MB/s | {rss:4.0f} MB RSS"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the generated file")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="advisor-bench-"))
    try:
        path = folder / "train.jsonl"
        rows = generate(path, args.size_mb)
        size_mb = path.stat().st_size / 2**20
        wc = median_run(["wc", "-l", str(path)], args.runs)
        py = median_run([sys.executable, "-c", _CHILD_BASELINE, str(path)], args.runs)
        adv = median_run([sys.executable, "-c", _CHILD_PROFILE, str(path)], args.runs)
        profile = json.loads(adv[3])
        mb_s = size_mb / adv[0]
        print(f"file            {size_mb:,.0f} MB, {rows:,} rows written (nproc {os.cpu_count()})")
        print(f"rows counted    {profile['rows']:,} (exact: {profile['rows'] == rows})")
        print(f"format          {profile['format']}  (sampled rows: {profile['sampled_rows']:,})")
        print(f"max / p95 tok   {profile['max_tokens']:,} / {profile['p95_tokens']:,}")
        print(f"medians of {args.runs} whole-process runs, start-up included:")
        print(_line("wc -l", size_mb, *wc[:3]))
        print(_line("python newlines", size_mb, *py[:3]))
        print(_line("profile_dataset", size_mb, *adv[:3]))
        print(
            f"ratio           wall {adv[0] / wc[0]:.1f}x wc -l, {adv[0] / py[0]:.1f}x the Python "
            f"newline count; CPU {adv[1] / py[1]:.1f}x the Python newline count"
        )
        print(
            f"targets         >= {TARGET_MB_S} MB/s wall: {mb_s:,.0f}; "
            f"peak RSS < {TARGET_RSS_MB} MB: {adv[2]:,.0f}"
        )
        adv_rss = adv[2]
        ok = mb_s >= TARGET_MB_S and adv_rss < TARGET_RSS_MB and profile["rows"] == rows
        print("PASS" if ok else "FAIL")
        return 0 if ok else 1
    finally:
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
