"""The JSON form of a recommendation (schema_version 1): the contract every other format renders."""

from __future__ import annotations

import json
from typing import Any

from advisor import __version__
from advisor.advice import next_steps
from advisor.decide import SCHEMA_VERSION, Recommendation, check_status
from advisor.memory import estimate_all

VERDICT_TEXT = {
    "instruct": "Fine-tune the instruct variant.",
    "base": "Fine-tune the base variant.",
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
        "dataset": rec.dataset.to_json() if rec.dataset else None,
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
                    "facts": {c.fact: c.actual for c in r.clauses},
                }
                for r in rec.task_trace
                if r.rule.id in exception_ids
            ],
            "alignment_tax": rec.alignment_tax,
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
                "checks": [
                    {"rule": r.rule.id, "status": check_status(r), "message": r.message}
                    for r in c.checks
                ],
                "error": (
                    {"kind": c.facts.error_kind, "message": c.facts.error} if c.facts.error else None
                ),
            }
            for c in rec.candidates
        ],
        "next_steps": next_steps(rec),
        "trace": [r.to_json() for r in rec.task_trace]
        + [r.to_json() for c in rec.candidates for r in c.checks],
        "missing_facts": rec.missing_facts(),
    }


def render(rec: Recommendation) -> str:
    return json.dumps(to_dict(rec), indent=2, ensure_ascii=False) + "\n"
