"""Evaluate one rule against a facts context: its status, its message and every clause."""

from __future__ import annotations

from typing import Any

from advisor.engine.conditions import ClauseResult, clause_results
from advisor.engine.loader import PLACEHOLDER, Rule
from advisor.values import value

_STATUS = {True: "fired", False: "silent", None: "unknown"}


class RuleResult:
    """One rule on one context: fired | silent | unknown, its message and every clause.

    A plain class with slots, not a dataclass: one is made per rule per candidate (220,000 for
    10,000 candidates), so its construction is on the hot path. The clauses stay the
    evaluator's flat records (in a list the candidate's rules share, from `start`) and become
    ClauseResult objects only when read.
    """

    __slots__ = (
        "rule", "status", "message", "subject", "not_applicable", "_records", "_start", "_missing",
    )  # fmt: skip

    def __init__(
        self,
        rule: Rule,
        status: str,
        message: str,
        records: list[Any],
        subject: str | None = None,
        start: int = 0,
    ):
        self.rule = rule
        self.status = status  # fired | silent | unknown
        self.message = message
        self.subject = subject  # the candidate repo for per-candidate rules
        # Unknown only because the user did not ask (no constraint given): does not apply.
        self.not_applicable = False
        self._records = records
        self._start = start

    def __repr__(self) -> str:
        return f"RuleResult({self.rule.id!r}, {self.status!r}, subject={self.subject!r})"

    @property
    def clauses(self) -> list[ClauseResult]:
        return clause_results(self.rule.leaves, self._records, self._start)

    @property
    def missing_facts(self) -> list[str]:
        if self.not_applicable or self.status != "unknown":
            return []
        try:
            return list(self._missing)  # asked by the engine and again by the report
        except AttributeError:
            self._missing = self._find_missing()
        return list(self._missing)

    def _find_missing(self) -> tuple[str, ...]:
        missing = set()
        records, at = self._records, self._start
        for leaf in self.rule.leaves:  # the layout clause_results reads, inlined: a hot path
            ref = leaf.value_fact
            if ref is None:
                actual, expected, passed = records[at], leaf.value, records[at + 1]
                at += 2
            else:
                actual, expected, passed = records[at : at + 3]
                at += 3
            if passed is None:
                if actual is None:
                    missing.add(leaf.fact)
                if ref is not None and expected is None:
                    missing.add(ref)
        return tuple(sorted(missing))

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
    return run_rules([rule], context, subject)[0]


def run_rules(
    rules: list[Rule], context: dict[str, Any], subject: str | None = None
) -> list[RuleResult]:
    """Every rule on one context, in order; their clauses share one record list."""
    records: list[Any] = []
    results = []
    for rule in rules:
        start = len(records)
        status = _STATUS[rule.evaluator(context, records)]
        message = render_message(rule.message, context) if status == "fired" else ""
        results.append(RuleResult(rule, status, message, records, subject, start))
    return results


def render_message(template: str, context: dict[str, Any]) -> str:
    """The message with each {fact.name} replaced by the fact's value (or "unknown")."""
    parts = _TEMPLATES.get(template)
    if parts is None:
        parts = _TEMPLATES[template] = _split_template(template)
    text, pairs = parts
    for fact, literal in pairs:
        text += value(context.get(fact)) + literal
    return text


# template -> (leading text, ((fact, text after it), ...)): split once, not once per fire.
_TEMPLATES: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {}


def _split_template(template: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    pieces = PLACEHOLDER.split(template)  # text, fact, text, fact, ..., text
    return pieces[0], tuple(zip(pieces[1::2], pieces[2::2], strict=True))
