"""Benchmark the core path, as ratios against a floor measured in the same run.

    python bench/bench_core.py [--runs N]

1. cold `advisor recommend examples/support-tickets.yaml` vs `python -c pass` (target <= 15x)
2. cold `advisor --help` vs `python -c pass` (target <= 8x)
3. in-process: 10,000 synthetic candidates through every rule (target <= 1 s), against the
   same number of plain dict look-ups as a floor.
Machines are noisy: each command runs N times and the median is used. No assertion here.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def median_seconds(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def synthetic_candidates(count: int):
    from advisor.facts import ModelFacts

    rng = random.Random(7)
    licences = ["apache-2.0", "mit", "llama3.1", "gemma", "qwen-research", None]
    out = []
    for i in range(count):
        facts = ModelFacts(f"org{i % 97}/model-{i}")
        facts.set("variant", rng.choice(["base", "instruct", "unknown"]), "bench")
        facts.set("license", rng.choice(licences), "bench")
        facts.set("license_commercial", rng.choice(["yes", "no", "conditional", None]), "bench")
        facts.set("params_b", rng.choice([0.5, 1.5, 3.0, 7.6, 14.7, 70.0, None]), "bench")
        facts.set("context_length", rng.choice([2048, 4096, 8192, 32768, 131072, None]), "bench")
        facts.set("vocab_size", rng.choice([32000, 49152, 151936, 256000, None]), "bench")
        facts.set("gated", rng.choice([True, False, None]), "bench")
        facts.set("chat_template_present", rng.choice([True, False, None]), "bench")
        facts.set("pad_equals_eos", rng.choice([True, False, None]), "bench")
        out.append(facts)
    return out


def rules_throughput(count: int) -> tuple[float, float]:
    from advisor.decide import recommend
    from advisor.engine.loader import load_rules
    from advisor.spec import parse_spec

    spec = parse_spec(
        (ROOT / "examples" / "support-tickets.yaml").read_text(), "support-tickets.yaml"
    )
    rules = load_rules()
    models = synthetic_candidates(count)
    start = time.perf_counter()
    rec = recommend(spec, rules, models)
    elapsed = time.perf_counter() - start
    checks = sum(len(c.checks) for c in rec.candidates)
    assert checks == count * sum(1 for r in rules if r.per_candidate)
    # Floor: touching each candidate's facts once per rule, with no evaluation.
    start = time.perf_counter()
    for facts in models:
        context = facts.as_context()
        for _rule in rules:
            context.get("model.params_b")
    floor = time.perf_counter() - start
    return elapsed, floor


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--candidates", type=int, default=10_000)
    args = parser.parse_args()
    py = sys.executable
    floor = median_seconds([py, "-c", "pass"], args.runs)
    example = str(ROOT / "examples" / "support-tickets.yaml")
    recommend = median_seconds([py, "-m", "advisor", "recommend", example], args.runs)
    helptext = median_seconds([py, "-m", "advisor", "--help"], args.runs)
    print(f"python -c pass            {floor * 1000:7.1f} ms   (floor)")
    print(
        f"advisor recommend example {recommend * 1000:7.1f} ms   "
        f"{recommend / floor:5.1f}x floor (target <= 15x)"
    )
    print(
        f"advisor --help            {helptext * 1000:7.1f} ms   "
        f"{helptext / floor:5.1f}x floor (target <= 8x)"
    )
    elapsed, dict_floor = rules_throughput(args.candidates)
    print(
        f"{args.candidates:,} candidates x every rule: {elapsed:.3f} s (target <= 1 s); "
        f"{elapsed / dict_floor:.0f}x a bare fact look-up per rule"
    )


if __name__ == "__main__":
    main()
