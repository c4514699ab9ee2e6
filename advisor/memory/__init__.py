"""GPU memory for fine-tuning: the model of one training step and what fits on the user's GPU.

One entry point per question: `estimate(dims, setup)` for the memory of a step (model.py),
`for_candidate(facts, task, method)` for a candidate under a spec, `fit.assess` for fits /
tight / does not fit with the largest sequence length and the fixes that would fit.
"""

from __future__ import annotations

from typing import Any

from advisor.memory.candidate import for_candidate
from advisor.memory.model import CONSTANT_NOTES, FORMULA, REFERENCES, TERMS, estimate
from advisor.memory.settings import OPTIMIZERS, TrainingSetup, from_task

# What other modules use (decide.py, the tests); the rest is imported from its own module.
__all__ = ["OPTIMIZERS", "TrainingSetup", "estimate", "for_candidate", "memory_model"]


def memory_model(task: dict[str, Any], method: str) -> dict[str, Any]:
    """The report's formula section: the formula, what each term counts, the settings used,
    what was assumed (defaults and constants) and the references."""
    setup = from_task(task, method)
    return {
        "method": method,
        "gpu_memory_gb": task.get("training.gpu_memory_gb"),
        "formula": FORMULA,
        "terms": dict(TERMS),
        "settings": setup.settings(),
        "assumptions": list(setup.assumptions) + list(CONSTANT_NOTES),
        "references": list(REFERENCES),
    }
