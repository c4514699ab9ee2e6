"""The estimator against measured runs: each run's settings, advisor's estimate and the ratio.

Reads memory-measured.yaml (runs with their settings and model dimensions) and a settings file
naming what the measured table leaves out (LoRA rank, checkpointing... from the scripts that
produced the runs). Used by bench/bench_memory.py and the tests; nothing here is fitted.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from advisor.dims import Dims
from advisor.memory.model import MemoryEstimate, estimate
from advisor.memory.settings import TrainingSetup, parse_targets


@dataclass(frozen=True)
class Run:
    """One measured fine-tuning run and the estimate for the same setup."""

    id: str
    model: str
    method: str
    measured_gb: float
    estimate: MemoryEstimate

    @property
    def estimated_gb(self) -> float:
        # Multi-GPU rows report the job's memory summed over GPUs.
        return self.estimate.total_gb

    @property
    def ratio(self) -> float:
        return self.estimated_gb / self.measured_gb


def _dims(model: dict[str, Any], mlp: str) -> Dims:
    hidden, heads = model["hidden_size"], model["num_attention_heads"]
    return Dims(
        hidden=hidden,
        layers=model["num_hidden_layers"],
        heads=heads,
        kv_heads=model.get("num_key_value_heads") or heads,
        head_dim=hidden // heads,
        intermediate=model["mlp_width"],
        vocab=model["vocab_size"],
        tied=bool(model.get("tie_word_embeddings")),
        gated_mlp=mlp == "gated",
    )


def load_runs(measured: Path, settings: Path) -> list[Run]:
    import yaml

    table = yaml.safe_load(measured.read_text("utf-8"))
    extra = yaml.safe_load(settings.read_text("utf-8"))
    runs = []
    for figure in table["figures"]:
        chosen: dict[str, Any] = {}
        for group in extra["groups"]:
            if group["match"] in figure["id"]:
                chosen.update(group["settings"])
        model = table["models"][figure["model"]]
        dims = _dims(model, extra["models"][figure["model"]]["mlp"])
        gpus = int(re.match(r"(\d+)x", figure["gpus"]).group(1))
        # a row whose seq_len is not a number takes the one its script used
        seq = figure["seq_len"] if isinstance(figure["seq_len"], int) else chosen.get("seq_len")
        setup = TrainingSetup(
            method=figure["method"],
            seq_len=int(seq),
            batch_size=int(figure["batch_size"]),
            gradient_checkpointing=bool(chosen.get("gradient_checkpointing", True)),
            optimizer=chosen.get("optimizer", "adamw"),
            lora_rank=int(chosen.get("lora_rank", 16)),
            lora_targets=parse_targets(chosen.get("lora_targets", "all-linear")),
            modules_to_save=tuple(chosen.get("modules_to_save") or ()),
            gpus=gpus,
            sharding=chosen.get("sharding", "ddp"),
            loss=chosen.get("loss", "standard"),
            quant=chosen.get("quant", "nf4-dq"),
        )
        measured, est = float(figure["memory_gb"]), estimate(dims, setup)
        runs.append(Run(figure["id"], figure["model"], figure["method"], measured, est))
    return runs


@dataclass(frozen=True)
class Summary:
    """Measured / estimated ratios of one method's runs: median and quartiles."""

    method: str
    runs: int
    median: float
    q1: float
    q3: float
    worst: float  # the ratio farthest from 1 (in either direction)
    within_25: float  # share of runs with 0.75 <= ratio <= 1.25


def summarise(runs: list[Run]) -> list[Summary]:
    out = []
    for method in sorted({r.method for r in runs}):
        ratios = sorted(r.ratio for r in runs if r.method == method)
        if len(ratios) >= 2:
            q1, _, q3 = statistics.quantiles(ratios, n=4, method="inclusive")
        else:
            q1 = q3 = ratios[0]
        worst = max(ratios, key=lambda x: max(x, 1 / x))
        within = sum(0.75 <= x <= 1.25 for x in ratios) / len(ratios)
        out.append(Summary(method, len(ratios), statistics.median(ratios), q1, q3, worst, within))
    return out
