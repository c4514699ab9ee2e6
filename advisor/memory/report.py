"""`advisor memory MODEL`: the estimate alone, as text or JSON, with every term and assumption."""

from __future__ import annotations

import json
from typing import Any

from advisor import dims as dimensions
from advisor.errors import UserError
from advisor.facts import ModelFacts
from advisor.memory.candidate import estimate_for
from advisor.memory.fit import assess
from advisor.memory.model import CONSTANT_NOTES, FORMULA
from advisor.memory.settings import TrainingSetup


def build(facts: ModelFacts, setup: TrainingSetup, gpu_gb: float | None) -> dict[str, Any]:
    """The estimate as JSON: total_gb, per_gpu_gb, components, assumptions, references."""
    shape = dimensions.from_facts(facts)
    est = estimate_for(shape, facts.get("params_b"), setup)
    if est is None and (wrong := dimensions.out_of_range(facts)):
        raise UserError(
            f"{facts.repo_id}: its config.json is not a real model's ({wrong}), so its memory "
            "is unknown",
            hint="check the folder's config.json",
        )
    if est is None:
        raise UserError(
            f"{facts.repo_id}: no architecture dimensions and no parameter count, so its memory "
            "is unknown",
            hint="point at a folder with config.json, or use --source hub",
        )
    out = {"model": facts.repo_id, **est.to_json()}
    out["assumptions"] += list(CONSTANT_NOTES)
    out["dimensions_from"] = facts.facts["hidden_size"].source if shape else None
    if gpu_gb:
        if shape is not None:
            fit = assess(shape, setup, gpu_gb, est, facts.get("context_length"))
            out["fit"] = {**fit.to_json(), "fix": fit.fix_text() or None}
        else:
            out["fit"] = None
    return out


def render_text(report: dict[str, Any]) -> str:
    s = report["settings"]
    lora = ""
    if "lora_rank" in s:
        lora = f", LoRA rank {s['lora_rank']} on {','.join(s['lora_targets'])}"
    lines = [
        f"{report['model']}: {report['method']} needs about {report['per_gpu_gb']:g} GB per GPU"
        + (f" ({report['total_gb']:g} GB over {report['gpus']} GPUs)" if report["gpus"] > 1 else "")
        + (" - a lower bound, dimensions unknown" if report["partial"] else ""),
        f"  seq len {s['seq_len']:,}, micro-batch {s['batch_size']}, gradient checkpointing "
        f"{'on' if s['gradient_checkpointing'] else 'off'}, optimizer {s['optimizer']}{lora}",
        "",
    ]
    width = max(len(name) for name in report["components"])
    for name, gb in report["components"].items():
        lines.append(f"  {name:<{width}}  {gb:8.2f} GB  {report['terms'][name]}")
    lines += ["", f"  {FORMULA}"]
    if fit := report.get("fit"):
        longest = "; not even a one-token sequence fits"
        if fit["largest_seq_len"]:
            longest = f"; longest sequence that fits: {fit['largest_seq_len']:,} tokens"
        batch = f", largest micro-batch: {fit['largest_batch']}" if fit["largest_batch"] else ""
        lines += ["", f"On a {fit['gpu_gb']:g} GB GPU: {fit['verdict']}{longest}{batch}"]
        if fit.get("fix"):
            lines.append(f"  {fit['fix']}")
    lines += ["", "Assumptions:"] + [f"  - {a}" for a in report["assumptions"]]
    lines += ["References:"] + [f"  - {r}" for r in report["references"]]
    return "\n".join(lines) + "\n"


def render(report: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    return render_text(report)
