"""JSON Schema (draft 2020-12) of the JSON report: the documented, versioned contract.

schema_version 1. Adding a key is compatible (objects stay open); renaming or removing one, or
changing a type, needs schema_version 2. tests/test_report_json.py validates real reports
against this schema, so the two cannot drift apart silently.
"""

from __future__ import annotations

from typing import Any

from advisor.recommendation import SCHEMA_VERSION

STR = {"type": "string"}
NUM = {"type": "number"}
BOOL = {"type": "boolean"}
STRS = {"type": "array", "items": STR}


def _doc(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {**schema, "description": description} if description else schema


def _opt(schema: dict[str, Any], description: str = "") -> dict[str, Any]:
    """The same schema, or null (unknown stays unknown)."""
    return _doc({**schema, "type": [schema["type"], "null"]}, description)


def _list(items: dict[str, Any], description: str = "") -> dict[str, Any]:
    return _doc({"type": "array", "items": items}, description)


def _obj(required: dict[str, Any], description: str = "") -> dict[str, Any]:
    return _doc({"type": "object", "required": list(required), "properties": required}, description)


def _map(values: dict[str, Any], description: str = "") -> dict[str, Any]:
    """An object with any keys, every value of one schema."""
    return _doc({"type": "object", "additionalProperties": values}, description)


VOTE = _obj({"id": STR, "weight": NUM, "message": STR})
CHECK = _obj(
    {
        "rule": STR,
        "status": {"enum": ["pass", "warn", "fail", "unknown"]},
        "message": STR,
        "kind": STR,
        "checked": {**BOOL, "description": "false: the user did not ask (e.g. no GPU given)"},
        "state": {"enum": ["pass", "warn", "fail", "unknown", "not-asked"]},
    },
    "one fit / pitfall rule applied to one candidate",
)
MEMORY_ENTRY = _obj(
    {
        "need_gb": {**NUM, "description": "GB per GPU"},
        "formula": STR,
        "fits_gpu": _opt(BOOL, "null when no GPU budget was given"),
        "verdict": {"enum": ["fits", "tight", "does not fit", None]},
        "components": _map(
            NUM,
            "GB per GPU for each term: weights, gradients, optimizer, activations, logits, "
            "overhead",
        ),
        "total_gb": _opt(NUM, "GB over all GPUs"),
        "partial": {**BOOL, "description": "true: dimensions unknown, a lower bound"},
        "largest_seq_len": _opt(NUM),
        "fix": _opt(STR, "what would fit when this method does not"),
    }
)
FACT = _obj(
    {"value": {}, "source": STR, "detail": STR},
    "a fact, where it came from and the citation to check it (repo path @commit or URL)",
)
RANK = _obj(
    {
        "repo_id": STR,
        "rank": NUM,
        "score": NUM,
        "out_of": NUM,
        "unknown_checks": NUM,
        "criteria": _map(_obj({"state": STR, "points": _opt(NUM)})),
        "tie_with": STRS,
    },
    "a recommended candidate's score by the pick criteria (knowledge/pick_criteria.yaml)",
)
CANDIDATE = _obj(
    {
        "repo_id": STR,
        "variant": _opt(STR),
        "family": _opt(STR),
        "pair": STR,
        "recommended": BOOL,
        "why_not": _opt(STR),
        "facts": _map(FACT),
        "memory_gb": _opt(_map(NUM)),
        "memory": _opt(_map(MEMORY_ENTRY)),
        "licence": _obj(
            {
                "id": _opt(STR),
                "name": _opt(STR),
                "commercial_use": {"enum": ["yes", "no", "conditional", None]},
                "allows": STR,
                "conditions": STRS,
                "source": _opt(STR),
            },
            "the licence and what it allows (from the licence table)",
        ),
        "sources": STRS,
        "checks": _list(CHECK),
        "error": _opt(_obj({"kind": _opt(STR), "message": STR})),
        "counts": _obj(
            {s: NUM for s in ("pass", "warn", "fail", "unknown", "not-asked")},
            "the checks per state: every format prints these numbers",
        ),
    }
)
USER_FACT = _obj(
    {
        "value": {},
        "origin": {"enum": ["given", "measured", "inferred", "default", "not asked"]},
    },
    "a user-side fact and where it came from: given (the spec or a flag said it), measured "
    "(--data), inferred (read from the description; `from` quotes the words), default (a "
    "documented default such as LoRA) or not asked (absent: unknown, never false)",
)
WHAT_WOULD_CHANGE = _obj(
    {
        "effect": {"enum": ["flips", "close call"]},
        "variant": {"enum": ["base", "instruct"]},
        "margin": NUM,
        "summary": STR,
        "changes": _list(_obj({"fact": STR, "to": {}, "now": {}, "origin": STR, "text": STR})),
    },
    "a smallest change of user-side facts that flips the verdict or makes it a close call, "
    "found by re-evaluating the decision rules with the change applied",
)
EVIDENCE = _obj(
    {"stage": STR, "pattern": STR, "matched": STR},
    "what the reader matched, quoting the user's own words",
)
TRACE_ENTRY = _obj(
    {
        "id": STR,
        "kind": STR,
        "status": {"enum": ["fired", "silent", "unknown"]},
        "effect": STR,
        "message": STR,
        "clauses": _list(
            _obj({"fact": STR, "op": STR, "expected": {}, "actual": {}, "passed": {}})
        ),
    },
    "one rule's evaluation, clause by clause",
)


def report_schema() -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://advisor.invalid/schemas/report-v{SCHEMA_VERSION}.json",
        "title": f"advisor report v{SCHEMA_VERSION}",
        "description": (
            "The JSON form of a base-vs-instruct recommendation; every other report format "
            "(text, markdown, html) renders from it. Objects are open: new keys may appear "
            "within a schema_version, removals and type changes bump it."
        ),
        **_obj(
            {
                "schema_version": {"const": SCHEMA_VERSION},
                "advisor_version": STR,
                "task": _obj(
                    {
                        "spec": {"type": "object", "description": "the task spec (advisor schema)"},
                        "understanding": _obj(
                            {
                                "kind": _opt(STR),
                                "kind_source": STR,
                                "signals": STRS,
                                "domains": STRS,
                                "style": STRS,
                                "understood": BOOL,
                                "evidence": _list(EVIDENCE),
                                "against": _list(
                                    _obj(
                                        {"pattern": STR, "matched": STR, "against": STR},
                                        "a negated mention, counted against its signal",
                                    )
                                ),
                                "facts": {
                                    "type": "object",
                                    "description": "spec fields read from the text, each "
                                    "with the words it came from",
                                    "additionalProperties": _obj({"value": {}, "from": STR}),
                                },
                                "quantities": _list({"type": "object"}),
                                "ignored": STRS,
                            }
                        ),
                        "facts": {
                            "type": "object",
                            "description": "every user-side fact: given / measured / inferred "
                            "/ default / not asked",
                            "additionalProperties": USER_FACT,
                        },
                        "understood": {
                            **BOOL,
                            "description": "false: nothing in the description nor the spec "
                            "was used; the verdict is the default and confidence is low",
                        },
                        "hint": _opt(STR, "what to do when nothing was understood"),
                    }
                ),
                "dataset": _opt({"type": "object", "description": "profile of --data, if given"}),
                "decision": _obj(
                    {
                        "variant": {"enum": ["base", "instruct"]},
                        "summary": STR,
                        "confidence": {"enum": ["high", "medium", "low"]},
                        "score": NUM,
                        "close_call": BOOL,
                        "repo": _opt(STR),
                        "exceptions": STRS,
                        "exceptions_considered": _list(
                            _obj(
                                {
                                    "id": STR,
                                    "status": {"enum": ["fired", "silent", "unknown"]},
                                    "message": STR,
                                    "summary": STR,
                                    "facts": {"type": "object"},
                                }
                            )
                        ),
                        "alignment_tax": _obj(
                            {
                                "level": {"enum": ["low", "medium", "high"]},
                                "points": NUM,
                                "reasons": _list(_obj({"rule": STR, "level": STR, "message": STR})),
                                "cost": STR,
                            }
                        ),
                        "votes": _obj(
                            {
                                side: _obj({"total": NUM, "rules": _list(VOTE)})
                                for side in ("base", "instruct")
                            }
                        ),
                        "undecided": STRS,
                        "what_would_change": _list(WHAT_WOULD_CHANGE),
                        "reasons": {**STRS, "description": "the rules that carried the verdict"},
                        "pick_notes": _list(
                            _obj({"rule": STR, "message": STR}),
                            "pitfalls and warn/fail checks of the pick",
                        ),
                        "pick_reason": _opt(
                            STR,
                            "why the pick beat the runner-up, a tie, or "
                            "that nothing of the verdict's variant passes",
                        ),
                        "ranking": _list(RANK),
                        "closest": _opt(STR, "when nothing is recommended: the closest candidate"),
                    }
                ),
                "candidates": _list(CANDIDATE),
                "memory_model": _obj(
                    {
                        "method": {"enum": ["full", "lora", "qlora"]},
                        "gpu_memory_gb": _opt(NUM),
                        "formula": STR,
                        "terms": _map(STR),
                        "settings": {"type": "object"},
                        "assumptions": STRS,
                        "references": STRS,
                    },
                    "the memory estimate's formula, constants, assumptions and references",
                ),
                "rules": _map(_obj({"kind": STR, "name": STR, "summary": STR})),
                "next_steps": STRS,
                "trace": _list(TRACE_ENTRY),
                "missing_facts": _list(_obj({"fact": STR, "candidate": _opt(STR), "rules": STRS})),
                "shortlist": {**STRS, "description": "the candidates a one-screen page shows"},
                "warnings": _list(
                    _obj(
                        {
                            "rule": STR,
                            "state": STR,
                            "summary": STR,
                            "candidates": STRS,
                            "licence_terms": {**BOOL, "description": "a rule on the licence"},
                        },
                        "one distinct warn/fail check and the candidates it applies to",
                    )
                ),
                "licences": _list(
                    _obj({"id": STR, "name": _opt(STR), "conditions": STRS}),
                    "each distinct licence with conditions, once",
                ),
            }
        ),
    }
