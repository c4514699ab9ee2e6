"""The JSON form of a recommendation (schema_version 1): the contract every other format renders."""

from __future__ import annotations

import json
from typing import Any

from advisor import __version__
from advisor.advice import next_steps
from advisor.decide import SCHEMA_VERSION, Recommendation, check_status
from advisor.derive import licences
from advisor.facts import ModelFacts
from advisor.memory import (
    ACTIVATION_SHARE,
    ASSUMPTIONS,
    BYTES_BASIS,
    BYTES_PER_PARAM,
    FIXED_GB,
    FORMULA,
    REFERENCES,
    estimate_all,
)
from advisor.sources import catalog

VERDICT_TEXT = {
    "instruct": "Fine-tune the instruct variant.",
    "base": "Fine-tune the base variant.",
}

# What each alignment-tax level costs the fine-tune, shown beside the level and its reasons.
TAX_COST = {
    "low": "Little or none: nothing in the task's domain or style fights the instruct model's "
    "refusals, hedging or assistant voice.",
    "medium": "Part of your data goes to un-teaching hedges, disclaimers and the assistant voice; "
    "check evaluation outputs for them.",
    "high": "Expect refusals, safety boilerplate or a narrowed output distribution until enough "
    "data trains them away: budget examples for it and evaluate on the prompts it affects, or "
    "start from base.",
}


def to_dict(rec: Recommendation) -> dict[str, Any]:
    exception_ids = [r.rule.id for r in rec.task_trace if r.rule.kind == "exception"]
    return {
        "schema_version": SCHEMA_VERSION,
        "advisor_version": __version__,
        "task": {
            "spec": rec.spec.model_dump(mode="json"),
            "understanding": rec.understanding.to_json(),
        },
        "dataset": (
            {**rec.dataset.to_json(), "disagreements": rec.data_notes} if rec.dataset else None
        ),
        "decision": {
            "variant": rec.variant,
            "summary": VERDICT_TEXT[rec.variant],
            "confidence": rec.confidence,
            "score": rec.score,
            "close_call": rec.close_call,
            "repo": rec.repo,
            "exceptions": rec.exceptions,
            "exceptions_considered": [
                {
                    "id": r.rule.id,
                    "status": r.status,
                    "message": r.message,
                    "summary": r.rule.summary,
                    "facts": {c.fact: c.actual for c in r.clauses},
                }
                for r in rec.task_trace
                if r.rule.id in exception_ids
            ],
            "alignment_tax": {**rec.alignment_tax, "cost": TAX_COST[rec.alignment_tax["level"]]},
            "votes": rec.votes,
            "undecided": rec.undecided,
        },
        "candidates": [
            {
                "repo_id": c.repo_id,
                "variant": c.facts.get("variant"),
                "family": c.facts.get("family"),
                "pair": c.pair,
                "recommended": c.recommended,
                "why_not": c.why_not or None,
                "facts": {
                    name: {"value": f.value, "source": f.source}
                    for name, f in sorted(c.facts.facts.items())
                },
                "memory_gb": (
                    {m: e.need_gb for m, e in estimate_all(c.facts.get("params_b")).items()}
                    if c.facts.get("params_b") is not None
                    else None
                ),
                "memory": _memory(c.facts.get("params_b"), rec.spec.training.gpu_memory_gb),
                "licence": _licence(c.facts),
                "sources": catalog.sources_of(c.repo_id)
                if any(f.source == "catalog" for f in c.facts.facts.values())
                else [],
                "checks": [
                    {
                        "rule": r.rule.id,
                        "status": check_status(r),
                        "message": r.message,
                        "kind": r.rule.kind,
                        # "pass" also covers a check nobody asked for (no GPU given...):
                        # renderers show those as not checked rather than as passed.
                        "checked": not r.not_applicable,
                    }
                    for r in c.checks
                ],
                "error": (
                    {"kind": c.facts.error_kind, "message": c.facts.error}
                    if c.facts.error
                    else None
                ),
            }
            for c in rec.candidates
        ],
        "memory_model": {
            "method": rec.spec.training.method,
            "gpu_memory_gb": rec.spec.training.gpu_memory_gb,
            "formula": FORMULA,
            "bytes_per_param": dict(BYTES_PER_PARAM),
            "bytes_basis": dict(BYTES_BASIS),
            "activation_share": ACTIVATION_SHARE,
            "fixed_gb": FIXED_GB,
            "assumptions": list(ASSUMPTIONS),
            "references": list(REFERENCES),
        },
        "rules": _rule_summaries(rec),
        "next_steps": next_steps(rec),
        "trace": [r.to_json() for r in rec.task_trace]
        + [r.to_json() for c in rec.candidates for r in c.checks],
        "missing_facts": rec.missing_facts(),
    }


def _memory(params_b: float | None, gpu_gb: float | None) -> dict[str, Any] | None:
    if params_b is None:
        return None
    return {
        method: {
            "need_gb": est.need_gb,
            "formula": est.formula,
            "fits_gpu": None if not gpu_gb else est.need_gb <= gpu_gb,
        }
        for method, est in estimate_all(params_b).items()
    }


ALLOWS = {
    "yes": "commercial use allowed",
    "conditional": "commercial use allowed under the licence's conditions",
    "no": "non-commercial use only",
}


def _licence(facts: ModelFacts) -> dict[str, Any]:
    """The licence and what it allows, from the licence table (derive.licences)."""
    licence_id = facts.get("license")
    terms = licences().get(licence_id.lower()) if isinstance(licence_id, str) else None
    commercial = facts.get("license_commercial")
    return {
        "id": licence_id,
        "name": facts.get("license_name_full"),
        "commercial_use": commercial,
        "allows": ALLOWS.get(commercial, "unknown: read the licence text before you ship"),
        "conditions": facts.get("license_conditions") or [],
        "source": terms["source"] if terms else None,
    }


def _rule_summaries(rec: Recommendation) -> dict[str, dict[str, str]]:
    results = rec.task_trace + [r for c in rec.candidates for r in c.checks]
    return {
        r.rule.id: {"kind": r.rule.kind, "name": r.rule.name, "summary": r.rule.summary}
        for r in sorted(results, key=lambda r: r.rule.id)
    }


def render(rec: Recommendation) -> str:
    return json.dumps(to_dict(rec), indent=2, ensure_ascii=False) + "\n"
