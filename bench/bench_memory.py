"""The memory estimator against measured fine-tuning runs.

    python bench/bench_memory.py [MEASURED_YAML]

For each run of memory-measured.yaml (default: the copy in bench/data, taken from
shared/data) prints advisor's estimate, the measurement and their ratio, then per method the
median ratio, the interquartile range, the worst case and the share within +-25%.
The baseline in the same run is the per-parameter rule advisor used before (16 / 2.08 / 0.64
bytes per parameter x 1.1 + 1 GB), printed beside each summary.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from advisor.memory.calibration import load_runs, summarise  # noqa: E402

DATA = ROOT / "bench" / "data"
OLD_BYTES = {"full": 16.0, "lora": 2.08, "qlora": 0.64}  # the former per-parameter rule


def old_rule(run) -> float:
    return (run.estimate.params / 1e9 * OLD_BYTES[run.method] * 1.1 + 1.0) * run.estimate.setup.gpus


def main() -> None:
    measured = Path(sys.argv[1]) if len(sys.argv) > 1 else DATA / "memory-measured.yaml"
    runs = load_runs(measured, DATA / "memory-run-settings.yaml")
    print(f"{'run':40} {'method':6} {'estimate':>9} {'measured':>9} {'ratio':>6}")
    for run in runs:
        print(
            f"{run.id:40} {run.method:6} {run.estimated_gb:8.1f}G {run.measured_gb:8.1f}G "
            f"{run.ratio:6.2f}"
        )
    print()
    print(
        f"{'method':6} {'runs':>4} {'median':>7} {'IQR':>11} {'worst':>6} {'±25%':>5}"
        "   old rule median"
    )
    for s in summarise(runs):
        old = statistics.median(old_rule(r) / r.measured_gb for r in runs if r.method == s.method)
        print(
            f"{s.method:6} {s.runs:4} {s.median:7.2f} {s.q1:5.2f}-{s.q3:<5.2f} {s.worst:6.2f} "
            f"{s.within_25:5.0%}   {old:.2f}"
        )


if __name__ == "__main__":
    main()
