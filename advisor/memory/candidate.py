"""The memory of one candidate under the user's task, for every method: the one place the
recommendation asks for it (estimated once per candidate and carried by the Candidate)."""

from typing import Any, NamedTuple

from advisor import dims as dimensions
from advisor.facts import ModelFacts
from advisor.memory.fit import Fit, assess
from advisor.memory.model import MemoryEstimate, estimate, estimate_without_dims
from advisor.memory.settings import METHODS, TrainingSetup, from_task


class CandidateMemory(NamedTuple):
    """One candidate's memory for one method: the setup, the estimate, the fit."""

    method: str
    setup: TrainingSetup
    estimate: MemoryEstimate | None  # None: neither dimensions nor a parameter count
    fit: Fit | None  # None: no GPU budget given (or no estimate)


def estimate_for(
    shape: dimensions.Dims | None, params: Any, setup: TrainingSetup
) -> MemoryEstimate | None:
    """From the dimensions when known, else a lower bound from the parameter count, else None."""
    if shape is not None:
        return estimate(shape, setup)
    if isinstance(params, (int, float)) and params > 0:
        return estimate_without_dims(params, setup)
    return None


def for_candidate(facts: ModelFacts, task: dict[str, Any]) -> dict[str, CandidateMemory]:
    """Each method's estimate and fit for this candidate, with the task's settings."""
    shape = dimensions.from_facts(facts)
    params = facts.get("params_b")
    gpu = task.get("training.gpu_memory_gb")
    context = facts.get("context_length")
    out = {}
    for method in METHODS:
        setup = from_task(task, method)
        est = estimate_for(shape, params, setup)
        fit = None
        if est is not None and gpu:
            if shape is not None:
                fit = assess(shape, setup, gpu, est, context)
            elif est.per_gpu_gb > gpu:  # a lower bound decides only "does not fit"
                fit = Fit("does not fit", est.per_gpu_gb, gpu, None, None, ())
        out[method] = CandidateMemory(method, setup, est, fit)
    return out


def need_gb(facts: ModelFacts, task: dict[str, Any], method: str) -> float | None:
    """Per-GPU memory for one method, without the fit search (to filter default candidates)."""
    setup = from_task(task, method)
    est = estimate_for(dimensions.from_facts(facts), facts.get("params_b"), setup)
    return None if est is None else est.per_gpu_gb
