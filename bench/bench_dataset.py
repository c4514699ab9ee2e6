"""Benchmark `--data` inspection on a generated JSON Lines file (default ~1 GB).

    python bench/bench_dataset.py [--size-mb N] [--keep]

Writes the file in a temporary folder (deleted afterwards unless --keep), then in fresh
subprocesses: a plain Python read of the same file counting newlines (the baseline, same run,
same page cache) and profile_dataset. Prints rows, MB/s, the child's peak RSS, and the ratio to
the baseline. Targets: >= 200 MB/s and peak RSS < 150 MB.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

TARGET_MB_S = 200
TARGET_RSS_MB = 150

_CHILD_PROFILE = """
import json, resource, sys, time
start = time.perf_counter()
from advisor.dataset import profile_dataset
profile = profile_dataset(sys.argv[1])
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "profile": profile.to_json()}))
"""
_CHILD_BASELINE = """
import json, resource, sys, time
start = time.perf_counter()
lines = 0
with open(sys.argv[1], "rb") as stream:
    while block := stream.read(4 << 20):
        lines += block.count(b"\\n")
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "lines": lines}))
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


def run_child(code: str, path: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--keep", action="store_true", help="keep the generated file")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="advisor-bench-"))
    try:
        path = folder / "train.jsonl"
        rows = generate(path, args.size_mb)
        size_mb = path.stat().st_size / 2**20
        baseline = run_child(_CHILD_BASELINE, path)
        result = run_child(_CHILD_PROFILE, path)
        profile = result["profile"]
        mb_s = size_mb / result["seconds"]
        base_mb_s = size_mb / baseline["seconds"]
        rss_mb = result["rss_kb"] / 1024
        print(f"file            {size_mb:,.0f} MB, {rows:,} rows written")
        print(f"rows counted    {profile['rows']:,} (exact: {profile['rows'] == rows})")
        print(f"format          {profile['format']}  (sampled rows: {profile['sampled_rows']:,})")
        print(f"max / p95 tok   {profile['max_tokens']:,} / {profile['p95_tokens']:,}")
        print(f"time            {result['seconds']:.2f} s (including import)")
        print(f"throughput      {mb_s:,.0f} MB/s (target >= {TARGET_MB_S})")
        print(f"peak RSS        {rss_mb:,.0f} MB (target < {TARGET_RSS_MB})")
        print(
            f"baseline        plain Python newline count: {base_mb_s:,.0f} MB/s, "
            f"{baseline['rss_kb'] / 1024:,.0f} MB RSS; profile_dataset runs at "
            f"{mb_s / base_mb_s:.2f}x the baseline speed"
        )
        ok = mb_s >= TARGET_MB_S and rss_mb < TARGET_RSS_MB and profile["rows"] == rows
        print("PASS" if ok else "FAIL")
        return 0 if ok else 1
    finally:
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
