"""Evaluate one rule against a facts context: its status, its message and every clause."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from advisor.engine.conditions import ClauseResult
from advisor.engine.loader import Rule

_PLACEHOLDER = re.compile(r"\{([a-z_]+(?:\.[a-z_]+)+)\}")


@dataclass
class RuleResult:
    rule: Rule
    status: str  # fired | silent | unknown
    message: str
    clauses: list[ClauseResult] = field(default_factory=list)
    subject: str | None = None  # the candidate repo for per-candidate rules
    # Unknown only because the user did not ask (no constraint given): the check does not apply.
    not_applicable: bool = False

    @property
    def missing_facts(self) -> list[str]:
        if self.not_applicable or self.status != "unknown":
            return []
        missing = set()
        for clause in self.clauses:
            if clause.passed is None:
                if clause.actual is None:
                    missing.add(clause.fact)
                ref = clause.expected if isinstance(clause.expected, dict) else None
                if ref and ref.get("value") is None:
                    missing.add(ref["fact"])
        return sorted(missing)

    def to_json(self) -> dict[str, Any]:
        out = {
            "id": self.rule.id,
            "kind": self.rule.kind,
            "status": self.status,
            "effect": self.rule.effect_text(),
            "message": self.message,
            "clauses": [c.to_json() for c in self.clauses],
        }
        if self.subject is not None:
            out["candidate"] = self.subject
        if self.not_applicable:
            out["not_applicable"] = True
        return out


def run_rule(rule: Rule, context: dict[str, Any], subject: str | None = None) -> RuleResult:
    clauses: list[ClauseResult] = []
    truth = rule.evaluator(context, clauses)  # type: ignore[misc]
    status = {True: "fired", False: "silent", None: "unknown"}[truth]
    message = render_message(rule.message, context) if status == "fired" else ""
    return RuleResult(rule, status, message, clauses, subject)


def render_message(template: str, context: dict[str, Any]) -> str:
    return _PLACEHOLDER.sub(lambda m: format_value(context.get(m.group(1))), template)


def format_value(value: Any) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.1f}" if value >= 10 else f"{value:.3g}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, (list, tuple)):
        return ", ".join(format_value(v) for v in value) or "none"
    return str(value)
