"""Benchmark advisor's own cost, each figure a ratio against a baseline measured in the same run.

    python bench/bench_core.py [--runs N] [--candidates N]

1. cold `advisor recommend examples/support-tickets.yaml --format json` vs the dependency floor
   `python -c "import click, yaml, pydantic; class A(pydantic.BaseModel): x: int = 1"`
   (target <= 1.15x);
2. `advisor --help` vs `python -c "import click"` (target <= 1.3x);
3. in-process: 10,000 synthetic candidates through every rule vs a bare fact look-up per rule
   (target <= 15x), for the whole `recommend()` and for the rules alone.

Processes run interleaved (baseline, command, baseline, ...) and the medians are compared, so
load from other work on the machine hits both alike; CPU time (user + system of the child) is
shown beside wall time. Where valgrind is installed, figures 1 and 2 are also given as counts of
executed instructions (callgrind), which other load on the machine does not change at all:
on a shared 2-core machine wall-time ratios of the same build moved by 0.25x between runs.
Before timing, advisor's bytecode is compiled and one unmeasured run warms its parse cache, as
after `pip install` and a first use. That cache is a folder of this run's own
(ADVISOR_CACHE_DIR), as on a machine with one install: a developer's ~/.cache/advisor also
holds the parses of every other checkout. No assertion here.
"""

from __future__ import annotations

import argparse
import compileall
import gc
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "support-tickets.yaml"
# The parse caches of this run alone (see the module doc); removed at exit.
CACHE = tempfile.TemporaryDirectory(prefix="advisor-bench-cache-")
ENV = {**os.environ, "ADVISOR_CACHE_DIR": CACHE.name}
FLOOR_CODE = "import click, yaml, pydantic\nclass A(pydantic.BaseModel): x: int = 1"


def advisor_command() -> list[str]:
    """The console script next to this interpreter (as a user runs it), else `python -m`."""
    script = Path(sys.executable).with_name("advisor")
    return [str(script)] if script.exists() else [sys.executable, "-m", "advisor"]


def interleaved(commands: dict[str, list[str]], runs: int) -> dict[str, tuple[float, float]]:
    """name -> (median wall seconds, median CPU seconds) over `runs` interleaved runs."""
    wall: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, cmd in commands.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=ROOT, env=ENV)
            wall[name].append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[name].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return {n: (statistics.median(wall[n]), statistics.median(cpu[n])) for n in commands}


def prepare() -> None:
    """Bytecode for advisor (pip compiles it at install) and a warm parse cache."""
    compileall.compile_dir(str(ROOT / "advisor"), quiet=1)
    subprocess.run(
        [*advisor_command(), "recommend", str(EXAMPLE), "--format", "json"],
        check=True,
        stdout=subprocess.DEVNULL,
        cwd=ROOT,
        env=ENV,
    )


def instructions(cmd: list[str]) -> int | None:
    """Instructions the command executes (valgrind's callgrind), or None without valgrind."""
    if shutil.which("valgrind") is None:
        return None
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *cmd],
        cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        check=False,
    )  # fmt: skip
    found = re.search(r"Collected : (\d+)", done.stderr)
    return int(found.group(1)) if done.returncode == 0 and found else None


def instruction_lines(pairs: list[tuple[str, list[str], list[str], str]]) -> list[str]:
    out = []
    for label, base_cmd, cmd, target in pairs:
        base, value = instructions(base_cmd), instructions(cmd)
        if base is None or value is None:
            return ["   (instruction counts: valgrind not installed)"]
        out.append(
            f"   instructions: {label} {value / 1e6:,.0f}M vs baseline {base / 1e6:,.0f}M = "
            f"{value / base:.3f}x  target {target}"
        )
    return out


def line(label: str, value: tuple[float, float], base: tuple[float, float], target: str) -> str:
    wall, cpu = value
    return (
        f"{label:<44} {wall * 1000:7.1f} ms  {wall / base[0]:5.2f}x "
        f"(CPU {cpu * 1000:6.1f} ms, {cpu / base[1]:5.2f}x)  target {target}"
    )


def base_line(label: str, value: tuple[float, float]) -> str:
    return f"{label:<44} {value[0] * 1000:7.1f} ms         (CPU {value[1] * 1000:6.1f} ms)"


def cold_start(runs: int) -> list[str]:
    cmd = advisor_command()
    times = interleaved(
        {
            "floor": [sys.executable, "-c", FLOOR_CODE],
            "recommend": [*cmd, "recommend", str(EXAMPLE), "--format", "json"],
            "click": [sys.executable, "-c", "import click"],
            "help": [*cmd, "--help"],
        },
        runs,
    )
    return [
        f"1. cold recommend (medians of {runs} interleaved runs)",
        base_line("   baseline: import click, yaml, pydantic + 1 model", times["floor"]),
        line(
            "   advisor recommend support-tickets --format json",
            times["recommend"],
            times["floor"],
            "<= 1.15x",
        ),  # fmt: skip
        f"2. advisor --help (medians of {runs} interleaved runs)",
        base_line("   baseline: python -c 'import click'", times["click"]),
        line("   advisor --help", times["help"], times["click"], "<= 1.3x"),
        "1-2. the same as executed instructions (one run each, valgrind callgrind)",
        *instruction_lines(
            [
                (
                    "recommend",
                    [sys.executable, "-c", FLOOR_CODE],
                    [*cmd, "recommend", str(EXAMPLE), "--format", "json"],
                    "<= 1.15x",
                ),
                ("--help", [sys.executable, "-c", "import click"], [*cmd, "--help"], "<= 1.3x"),
            ]
        ),  # fmt: skip
    ]


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


def rules_throughput(count: int, repeats: int = 5) -> list[str]:
    """Median seconds of recommend(), of the rules alone, and of the floor, interleaved."""
    from advisor.context import candidate_context, task_context
    from advisor.decide import recommend
    from advisor.engine.evaluate import run_rules
    from advisor.engine.loader import load_rules
    from advisor.spec import parse_spec
    from advisor.understand import understand

    spec = parse_spec(EXAMPLE.read_text(), EXAMPLE.name)
    rules = load_rules()
    checks = [r for r in rules if r.per_candidate]
    models = synthetic_candidates(count)
    task = task_context(spec, understand(spec.task.description))
    ids = {m.repo_id for m in models}
    whole, alone, floor = [], [], []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        rec = recommend(spec, rules, models)
        whole.append(time.perf_counter() - start)
        assert sum(len(c.checks) for c in rec.candidates) == count * len(checks)
        del rec
        gc.collect()
        start = time.perf_counter()
        for facts in models:  # the candidate's facts, then every per-candidate rule
            run_rules(checks, candidate_context(task, facts, ids, None)[0], facts.repo_id)
        alone.append(time.perf_counter() - start)
        # Floor: touching each candidate's facts once per rule, with no evaluation.
        start = time.perf_counter()
        for facts in models:
            context = facts.as_context()
            for _rule in rules:
                context.get("model.params_b")
        floor.append(time.perf_counter() - start)
    w, a, f = (statistics.median(x) for x in (whole, alone, floor))
    return [
        f"3. {count:,} synthetic candidates x {len(rules)} rules in-process "
        f"(medians of {repeats}, interleaved)",
        f"   baseline: a bare fact look-up per rule          {f * 1000:7.1f} ms",
        f"   every rule's conditions and trace                {a * 1000:7.1f} ms  "
        f"{a / f:5.1f}x  target <= 15x",
        f"   the whole recommend() (ranking, summaries too)   {w * 1000:7.1f} ms  {w / f:5.1f}x",
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--candidates", type=int, default=10_000)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    prepare()
    print(f"nproc {os.cpu_count()}, Python {sys.version.split()[0]}")
    for text in cold_start(args.runs) + rules_throughput(args.candidates):
        print(text)


if __name__ == "__main__":
    main()
