"""From facts to a recommendation: run every rule in stages, sum the votes, fit each candidate.

Stages (kinds feed the facts of the next stage, so rule order never matters):
  alignment-tax -> decision.alignment_tax
  exception     -> decision.exceptions
  default, heuristic -> votes -> decision.variant
  fit, pitfall  -> per-candidate checks
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from advisor.candidates import pair_key
from advisor.context import (
    asked_as,
    candidate_context,
    data_disagreements,
    is_user_side,
    task_context,
)
from advisor.engine.evaluate import RuleResult, run_rule
from advisor.engine.loader import Rule
from advisor.facts import DatasetProfile, ModelFacts
from advisor.memory import estimate_all
from advisor.spec import TaskSpec
from advisor.understand import Understanding, understand

TAX_POINTS = {"medium": 1, "high": 2}
CLOSE_MARGIN = 1.0  # vote margin under which the call is close: fine-tune both and compare
HIGH_MARGIN = 2.0
SCHEMA_VERSION = 1


@dataclass
class Candidate:
    facts: ModelFacts
    checks: list[RuleResult]
    pair: str
    recommended: bool = False
    why_not: str = ""

    @property
    def repo_id(self) -> str:
        return self.facts.repo_id

    def count(self, status: str) -> int:
        return sum(1 for c in self.checks if check_status(c) == status)


def check_status(result: RuleResult) -> str:
    """A fit/pitfall rule as a check: fired -> its status, silent -> pass, unknown -> unknown."""
    if result.status == "fired":
        return result.rule.effect["status"]
    return "pass" if result.status == "silent" or result.not_applicable else "unknown"


@dataclass
class Recommendation:
    spec: TaskSpec
    understanding: Understanding
    dataset: DatasetProfile | None
    variant: str
    confidence: str
    score: float
    close_call: bool
    votes: dict[str, dict[str, Any]]
    exceptions: list[str]
    alignment_tax: dict[str, Any]
    task_trace: list[RuleResult]
    candidates: list[Candidate]
    undecided: list[str] = field(default_factory=list)  # decision rules left unknown
    repo: str | None = None
    data_notes: list[str] = field(default_factory=list)  # spec vs training file disagreements

    def missing_facts(self) -> list[dict[str, Any]]:
        found: dict[tuple[str, str | None], set[str]] = {}
        for result in self.task_trace + [c for cand in self.candidates for c in cand.checks]:
            for fact in result.missing_facts:
                found.setdefault((fact, result.subject), set()).add(result.rule.id)
        return [
            {"fact": fact, "candidate": subject, "rules": sorted(rules)}
            for (fact, subject), rules in sorted(
                found.items(), key=lambda kv: (kv[0][1] or "", kv[0][0])
            )
        ]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Evaluation allocates hundreds of thousands of small acyclic objects (one per clause);
    the cyclic collector would rescan them over and over (measured: 4x slower at 10,000
    candidates), and none of them can form a cycle, so it waits until the end."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def recommend(
    spec: TaskSpec,
    rules: list[Rule],
    models: list[ModelFacts],
    dataset: DatasetProfile | None = None,
) -> Recommendation:
    """Evaluate every rule on the spec and every candidate; see the module docstring."""
    with gc_paused():
        return _recommend(spec, rules, models, dataset)


def _recommend(
    spec: TaskSpec,
    rules: list[Rule],
    models: list[ModelFacts],
    dataset: DatasetProfile | None,
) -> Recommendation:
    understanding = understand(
        spec.task.description,
        kind=spec.task.kind,
        domains=spec.task.domains,
        style=spec.task.style,
    )
    ctx = task_context(spec, understanding, dataset)
    by_kind: dict[str, list[Rule]] = {}
    # Rules run in id order within their stage, so the caller's order never shows in a result.
    for rule in sorted(rules, key=lambda r: r.id):
        by_kind.setdefault(rule.kind, []).append(rule)

    tax_results = [run_rule(r, ctx) for r in by_kind.get("alignment-tax", [])]
    points = sum(TAX_POINTS[r.rule.effect["tax"]] for r in tax_results if r.status == "fired")
    tax_level = "high" if points >= 2 else "medium" if points == 1 else "low"
    ctx["decision.alignment_tax"] = tax_level

    exception_results = [run_rule(r, ctx) for r in by_kind.get("exception", [])]
    exceptions = sorted(r.rule.id for r in exception_results if r.status == "fired")
    ctx["decision.exceptions"] = exceptions
    ctx["decision.exception_count"] = len(exceptions)

    vote_results = exception_results + [
        run_rule(r, ctx) for kind in ("default", "heuristic") for r in by_kind.get(kind, [])
    ]
    votes: dict[str, dict[str, Any]] = {
        v: {"total": 0.0, "rules": []} for v in ("base", "instruct")
    }
    for result in vote_results:
        if result.status == "fired":
            side = votes[result.rule.effect["vote"]]
            side["total"] += result.rule.effect["weight"]
            side["rules"].append(
                {
                    "id": result.rule.id,
                    "weight": result.rule.effect["weight"],
                    "message": result.message,
                }
            )
    base, instruct = votes["base"]["total"], votes["instruct"]["total"]
    # A tie keeps the default: instruct already follows instructions and stops at the end.
    variant = "base" if base > instruct else "instruct"
    margin = abs(base - instruct)
    undecided = sorted(
        r.rule.id
        for r in vote_results
        if r.status == "unknown"
        and r.rule.effect["vote"] != variant
        and r.rule.effect["weight"] > 0
    )
    confidence = "high" if margin >= HIGH_MARGIN else "medium" if margin >= CLOSE_MARGIN else "low"
    if undecided and confidence != "low":
        # A rule that could vote the other way is waiting on a missing fact.
        confidence = "medium" if confidence == "high" else "low"
    total = base + instruct
    score = round(max(base, instruct) / total, 2) if total else 0.5
    ctx["decision.variant"] = variant

    candidates = _fit_candidates(ctx, by_kind, models, variant)
    trace = tax_results + vote_results
    rec = Recommendation(
        spec=spec,
        understanding=understanding,
        dataset=dataset,
        variant=variant,
        confidence=confidence,
        score=score,
        close_call=margin < CLOSE_MARGIN,
        votes=votes,
        exceptions=exceptions,
        alignment_tax={
            "level": tax_level,
            "points": points,
            "reasons": [
                {"rule": r.rule.id, "level": r.rule.effect["tax"], "message": r.message}
                for r in tax_results
                if r.status == "fired"
            ],
        },
        task_trace=trace,
        candidates=candidates,
        undecided=undecided,
    )
    rec.repo = _top_pick(candidates)
    rec.data_notes = data_disagreements(spec, dataset)
    return rec


def _fit_candidates(
    task_ctx: dict[str, Any], by_kind: dict[str, list[Rule]], models: list[ModelFacts], variant: str
) -> list[Candidate]:
    check_rules = by_kind.get("fit", []) + by_kind.get("pitfall", [])
    ids = {m.repo_id for m in models}
    pairs: dict[str, list[ModelFacts]] = {}
    for facts in models:
        pairs.setdefault(pair_key(facts), []).append(facts)
    candidates: list[Candidate] = []
    for pair, members in pairs.items():
        in_pair: list[Candidate] = []
        for facts in members:
            sibling = next((m.repo_id for m in members if m is not facts), None)
            ctx, not_asked = candidate_context(task_ctx, facts, ids, sibling)
            checks = [run_rule(rule, ctx, subject=facts.repo_id) for rule in check_rules]
            for check in checks:
                # A check whose user-side input is absent does not apply (nobody asked), whatever
                # the model facts: e.g. no GPU given, no memory check.
                not_given = [f for f in check.missing_facts if is_user_side(f, not_asked)]
                if not_given:
                    check.not_applicable = True
                    inputs = dict.fromkeys(asked_as(f) for f in not_given)
                    check.message = "not checked: " + ", ".join(inputs) + " not given"
            in_pair.append(Candidate(facts, checks, pair))
        _choose_in_pair(in_pair, variant)
        candidates += in_pair
    return candidates


def _choose_in_pair(members: list[Candidate], variant: str) -> None:
    """Recommend the repo of the decided variant; the other one only when no such repo exists."""
    matching = [c for c in members if c.facts.get("variant") == variant]
    if not matching:
        # e.g. Phi: no base release. The instruct repo is the only start in this family.
        matching = [c for c in members if c.facts.get("variant") in ("base", "instruct")]
    for cand in members:
        if cand.facts.error:
            cand.why_not = cand.facts.error
        elif cand not in matching:
            other = cand.facts.get("variant", "unknown")
            cand.why_not = f"the verdict is {variant}; this is the {other} variant"
        elif cand.count("fail"):
            failed = [c.rule.id for c in cand.checks if check_status(c) == "fail"]
            cand.why_not = "fails " + ", ".join(failed)
        else:
            cand.recommended = True


def _top_pick(candidates: list[Candidate]) -> str | None:
    ranked = [c for c in candidates if c.recommended]
    if not ranked:
        return None
    order = {c.repo_id: i for i, c in enumerate(candidates)}
    ranked.sort(key=lambda c: (c.count("warn"), c.count("unknown"), order[c.repo_id]))
    return ranked[0].repo_id


def memory_table(facts: ModelFacts) -> dict[str, float] | None:
    params = facts.get("params_b")
    if params is None:
        return None
    return {method: est.need_gb for method, est in estimate_all(params).items()}
