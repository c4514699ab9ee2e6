"""The memory of one candidate under the user's task, for every method: the one place the
recommendation asks for it (estimated once per candidate and carried by the Candidate)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from advisor import dims as dimensions
from advisor.facts import ModelFacts
from advisor.memory.fit import Fit, assess
from advisor.memory.model import MemoryEstimate, estimate, estimate_without_dims
from advisor.memory.settings import METHODS, TrainingSetup, from_task


@dataclass(frozen=True)
class CandidateMemory:
    method: str
    setup: TrainingSetup
    estimate: MemoryEstimate | None  # None: neither dimensions nor a parameter count
    fit: Fit | None  # None: no GPU budget given (or no estimate)

    @property
    def need_gb(self) -> float | None:
        return None if self.estimate is None else self.estimate.per_gpu_gb

    def to_json(self) -> dict[str, Any]:
        est = self.estimate
        return {
            "need_gb": self.need_gb,
            "formula": est.formula() if est else "unknown: no dimensions and no parameter count",
            "fits_gpu": None if self.fit is None else self.fit.verdict != "does not fit",
            "verdict": self.fit.verdict if self.fit else None,
            "components": {c.name: round(c.gb, 2) for c in est.components} if est else {},
            "partial": est.partial if est else None,
            "largest_seq_len": self.fit.largest_seq_len if self.fit else None,
            "fix": (self.fit.fix_text() or None) if self.fit else None,
        }


def for_candidate(facts: ModelFacts, task: dict[str, Any]) -> dict[str, CandidateMemory]:
    """Each method's estimate and fit for this candidate, with the task's settings."""
    shape = dimensions.from_facts(facts)
    params = facts.get("params_b")
    gpu = task.get("training.gpu_memory_gb")
    context = facts.get("context_length")
    out = {}
    for method in METHODS:
        setup = from_task(task, method)
        est = None
        if shape is not None:
            est = estimate(shape, setup)
        elif isinstance(params, (int, float)) and params > 0:
            est = estimate_without_dims(params, setup)
        fit = None
        if est is not None and gpu:
            if shape is not None:
                fit = assess(shape, setup, gpu, est, context)
            elif est.per_gpu_gb > gpu:  # a lower bound decides only "does not fit"
                fit = _partial_fit(est, gpu)
        out[method] = CandidateMemory(method, setup, est, fit)
    return out


def need_gb(facts: ModelFacts, task: dict[str, Any], method: str) -> float | None:
    """Per-GPU memory for one method, without the fit search (to filter default candidates)."""
    shape = dimensions.from_facts(facts)
    setup = from_task(task, method)
    if shape is not None:
        return estimate(shape, setup).per_gpu_gb
    params = facts.get("params_b")
    if isinstance(params, (int, float)) and params > 0:
        return estimate_without_dims(params, setup).per_gpu_gb
    return None


def _partial_fit(est: MemoryEstimate, gpu: float) -> Fit:
    from advisor.memory.fit import verdict

    return Fit(verdict(est.per_gpu_gb, gpu), est.per_gpu_gb, gpu, None, None, ())
