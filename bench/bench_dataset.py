"""Benchmark `--data` inspection on a generated chat JSON Lines file (default 200 MB).

    python bench/bench_dataset.py [--size-mb N] [--runs N] [--keep]

Figure 5: profile_dataset on the file in a fresh interpreter, start-up included (interpreter,
imports, reading, checking every line, parsing the sample, the profile), in MB/s and as a
ratio against the baseline measured in the same run: a plain Python read of the file counting
newlines. `wc -l` is shown too. Target: >= 400 MB/s wall and a peak RSS < 100 MB, rows counted
exactly. Then the whole command a user runs, `advisor recommend SPEC --data FILE`, against
`advisor recommend SPEC` alone: what --data adds on top of recommend's own start-up (which is
figure 1's business, bench/bench_core.py).

Processes run interleaved (each command once per round, --runs rounds) in the same page cache
and medians are compared, so load from other work on the machine hits all alike; CPU time
(user + system of the child) is shown beside wall time. Peak RSS is the child's (wait4); a
child started from this process starts from this process's own peak, so the file is written
by a separate process and this one stays small (its peak is printed). No timed assertion:
the exit code is 1 only when rows or the longest example are miscounted.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "examples" / "support-tickets.yaml"
TARGET_MB_S = 400
TARGET_RSS_MB = 100
LONGEST_CHARS = 200_000  # one example this long sits in the middle of the file

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
    """Write about size_mb MB of chat rows; returns the number of rows."""
    rng = random.Random(42)
    pool = _pool(rng, 4000)
    longest = json.dumps({"messages": [{"role": "user", "content": "x" * LONGEST_CHARS}]})
    target = size_mb << 20
    written = rows = 0
    with path.open("wb") as out:
        while written < target:
            batch = b"".join(rng.choices(pool, k=2000))
            out.write(batch)
            written += len(batch)
            rows += 2000
            if longest and written >= target // 2:
                out.write(longest.encode() + b"\n")
                written += len(longest) + 1
                rows += 1
                longest = ""
        # On disk before the timing starts: write-back of 200 MB of dirty pages during the
        # runs slowed every command's wall time (the newline count's doubled).
        out.flush()
        os.fsync(out.fileno())
    return rows


def interleaved(commands: dict[str, list[str]], runs: int) -> dict[str, tuple[float, float, float]]:
    """name -> (median wall s, median CPU s, max peak RSS MB) over `runs` interleaved runs."""
    results: dict[str, list[tuple[float, float, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            results[name].append(run_timed(command))
    return {
        name: (
            statistics.median(r[0] for r in rows),
            statistics.median(r[1] for r in rows),
            max(r[2] for r in rows),
        )
        for name, rows in results.items()
    }


def run_timed(command: list[str]) -> tuple[float, float, float]:
    """(wall s, CPU s, peak RSS MB) of one whole process, its output thrown away."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, cwd=ROOT)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"{' '.join(command[:4])} ... failed: exit {status}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def advisor_command() -> list[str]:
    """The console script next to this interpreter (as a user runs it), else `python -m`."""
    script = Path(sys.executable).with_name("advisor")
    return [str(script)] if script.exists() else [sys.executable, "-m", "advisor"]


def _line(label: str, mb: float | None, value: tuple[float, float, float], extra: str = "") -> str:
    """One timed command; mb=None for a command that does not read the file."""
    wall, cpu, rss = value
    rate = f"{mb / wall:6,.0f} MB/s" if mb else " " * 11
    return (
        f"   {label:<48} {wall * 1000:7.1f} ms {rate} (CPU {cpu * 1000:6.1f} ms)"
        f"  peak RSS {rss:3.0f} MB{extra}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--keep", action="store_true", help="keep the generated file")
    parser.add_argument("--generate", metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:  # the child that writes the file, so that this process stays small
        print(generate(Path(args.generate), args.size_mb))
        return 0
    folder = Path(tempfile.mkdtemp(prefix="advisor-bench-"))
    try:
        path = folder / "train.jsonl"
        written = subprocess.run(
            [sys.executable, __file__, "--generate", str(path), "--size-mb", str(args.size_mb)],
            check=True,
            capture_output=True,
            text=True,
        )
        rows = int(written.stdout)
        mb = path.stat().st_size / 2**20
        profile = json.loads(
            subprocess.run(
                [sys.executable, "-c", _CHILD_PROFILE, str(path)],
                check=True,
                capture_output=True,
                text=True,
                cwd=ROOT,
            ).stdout
        )
        advisor = [*advisor_command(), "recommend", str(SPEC), "--format", "json"]
        times = interleaved(
            {
                "wc": ["wc", "-l", str(path)],
                "newlines": [sys.executable, "-c", _CHILD_BASELINE, str(path)],
                "profile": [sys.executable, "-c", _CHILD_PROFILE, str(path)],
                "recommend": advisor,
                "recommend --data": [*advisor, "--data", str(path)],
            },
            args.runs,
        )
        base, ours = times["newlines"], times["profile"]
        alone, whole = times["recommend"], times["recommend --data"]
        mb_s, rss = mb / ours[0], max(ours[2], whole[2])
        met = mb_s >= TARGET_MB_S and rss < TARGET_RSS_MB
        added = whole[0] - alone[0]
        own_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        longest = math.ceil(LONGEST_CHARS / 4)
        exact = profile["rows"] == rows and profile["max_tokens"] == longest
        print(f"nproc {os.cpu_count()}, Python {sys.version.split()[0]}")
        print(
            f"5. --data on a generated {mb:,.0f} MB chat JSONL, {rows:,} rows (medians of "
            f"{args.runs} interleaved runs, start-up included; this process: {own_rss:.0f} MB)"
        )
        print(_line("baseline: wc -l", mb, times["wc"]))
        print(_line("baseline: python, read + count newlines", mb, base))
        print(
            _line(
                "profile_dataset(FILE) in a fresh python",
                mb,
                ours,
                f"  {ours[0] / base[0]:4.2f}x (CPU {ours[1] / base[1]:4.2f}x)  target >= "
                f"{TARGET_MB_S} MB/s, RSS < {TARGET_RSS_MB} MB: {'met' if met else 'NOT met'}",
            )
        )
        print(_line("advisor recommend SPEC --format json", None, alone))
        print(
            _line(
                "advisor recommend SPEC --data FILE --format json",
                mb,
                whole,
                f"  {whole[0] / alone[0]:4.2f}x recommend alone; --data adds "
                f"{added * 1000:.0f} ms = {mb / added:,.0f} MB/s"
                if added > 0
                else "",
            )
        )
        print(
            f"   rows {profile['rows']:,} and longest {profile['max_tokens']:,} tokens "
            f"(exact: {exact}), format {profile['format']}, p95 {profile['p95_tokens']:,} "
            f"tokens from {profile['sampled_rows']:,} sampled rows"
        )
        return 0 if exact else 1
    finally:
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
