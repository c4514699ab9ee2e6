"""From facts to a recommendation: run every rule in stages, sum the votes, fit each candidate.

Stages (kinds feed the facts of the next stage, so rule order never matters):
  alignment-tax -> decision.alignment_tax
  exception     -> decision.exceptions
  default, heuristic -> votes -> decision.variant
  fit, pitfall  -> per-candidate checks
"""

import gc
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

from advisor import memory
from advisor.advice import next_steps
from advisor.context import (
    ASKED_AS,
    candidate_context,
    data_disagreements,
    effective_spec,
    is_user_side,
    task_context,
    user_facts,
)
from advisor.engine.evaluate import RuleResult, run_rule, run_rules
from advisor.engine.loader import Rule
from advisor.engine.pick import NOT_ASKED, Score, rank, reason, score
from advisor.facts import DatasetProfile, ModelFacts
from advisor.facts.derive import licences
from advisor.facts.family import pairs
from advisor.recommendation import STATES, Candidate, Check, Licence, MethodMemory, Recommendation
from advisor.spec import TaskSpec
from advisor.understand import Understanding, understand

TAX_POINTS = {"medium": 1, "high": 2}
CLOSE_MARGIN = 1.0  # vote margin under which the call is close: fine-tune both and compare
HIGH_MARGIN = 2.0
SHORTLIST = 8  # candidates a one-screen page shows; the full report lists every one
REASONS = 3  # the rules that carried a verdict, as the short page names them

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
ALLOWS = {
    "yes": "commercial use allowed",
    "conditional": "commercial use allowed under the licence's conditions",
    "no": "non-commercial use only",
}


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


@gc_paused()  # a contextmanager is also a decorator: every call runs with the collector paused
def recommend(
    spec: TaskSpec,
    rules: list[Rule],
    models: list[ModelFacts],
    dataset: DatasetProfile | None = None,
    *,
    understanding: Understanding | None = None,
) -> Recommendation:
    """Evaluate every rule on the spec and every candidate; see the module docstring."""
    given = spec
    understanding = understanding or read_task(given)
    facts = user_facts(given, understanding, dataset)
    spec = effective_spec(given, understanding, candidates=given.models.candidates)
    ctx = task_context(spec, understanding, dataset, facts)
    by_kind: dict[str, list[Rule]] = {}
    # Rules run in id order within their stage, so the caller's order never shows in a result.
    for rule in sorted(rules, key=lambda r: r.id):
        by_kind.setdefault(rule.kind, []).append(rule)

    task_ctx = dict(ctx)  # before the decision.* facts: what-would-change starts from here
    decision = decide(ctx, by_kind)
    variant, margin, votes, exceptions, tax_level, points, tax_results, vote_results = decision
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
    nothing_understood = not understanding.understood and not _anything_given(facts)
    if nothing_understood:
        # The verdict is the default only because nothing was read: say so in the confidence.
        confidence = "low"
    base, instruct = votes["base"]["total"], votes["instruct"]["total"]
    total = base + instruct
    score = round(max(base, instruct) / total, 2) if total else 0.5

    candidates = _fit_candidates(ctx, by_kind, models, variant, spec)
    trace = tax_results + vote_results
    rec = Recommendation(
        spec=spec,
        understanding=understanding,
        dataset=dataset,
        variant=variant,
        summary=f"Fine-tune the {variant} variant.",
        confidence=confidence,
        score=score,
        close_call=margin < CLOSE_MARGIN,
        votes=votes,
        reasons=_reasons(votes[variant]["rules"], exceptions),
        exceptions=exceptions,
        exceptions_considered=[
            {
                "id": r.rule.id,
                "status": r.status,
                "message": r.message,
                "summary": r.rule.summary,
                "facts": {c.fact: c.actual for c in r.clauses},
            }
            for r in trace
            if r.rule.kind == "exception"
        ],
        alignment_tax={
            "level": tax_level,
            "points": points,
            "reasons": [
                {"rule": r.rule.id, "level": r.rule.effect["tax"], "message": r.message}
                for r in tax_results
                if r.status == "fired"
            ],
            "cost": TAX_COST[tax_level],
        },
        task_trace=trace,
        candidates=candidates,
        undecided=undecided,
    )
    _explain_pick(rec)
    rec.data_notes = data_disagreements(given, dataset)
    rec.facts = facts
    rec.nothing_understood = nothing_understood
    from advisor.engine.whatif import what_would_change

    rec.what_would_change = what_would_change(task_ctx, by_kind, decision, facts)
    _summarise(rec, ctx)
    return rec


def read_task(spec: TaskSpec) -> Understanding:
    task = spec.task
    return understand(task.description, kind=task.kind, domains=task.domains, style=task.style)


class Decision(NamedTuple):
    """The task-level verdict from one facts context (re-run by what-would-change)."""

    variant: str
    margin: float
    votes: dict[str, dict[str, Any]]
    exceptions: list[str]
    tax_level: str
    points: int
    tax_results: list[RuleResult]
    vote_results: list[RuleResult]


def decide(ctx: dict[str, Any], by_kind: dict[str, list[Rule]]) -> Decision:
    """alignment tax -> exceptions -> votes, on ctx (which gains the decision.* facts)."""
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
            weight = result.rule.effect["weight"]
            side = votes[result.rule.effect["vote"]]
            side["total"] += weight
            side["rules"].append(
                {"id": result.rule.id, "weight": weight, "message": result.message}
            )
    base, instruct = votes["base"]["total"], votes["instruct"]["total"]
    # A tie keeps the default: instruct already follows instructions and stops at the end.
    variant = "base" if base > instruct else "instruct"
    ctx["decision.variant"] = variant
    return Decision(
        variant, abs(base - instruct), votes, exceptions, tax_level, points, tax_results,
        vote_results,
    )  # fmt: skip


def _anything_given(facts: dict[str, dict[str, Any]]) -> bool:
    return any(
        f["origin"] in ("given", "measured")
        for name, f in facts.items()
        if name.startswith(("task.", "data.", "training.own", "training.custom"))
    )


def _reasons(fired: list[dict[str, Any]], exceptions: list[str]) -> list[str]:
    """The rules that carried the verdict: exceptions first, then by weight (ties by id)."""
    ranked = sorted(fired, key=lambda v: (v["id"] not in exceptions, -v["weight"], v["id"]))
    return [v["id"] for v in ranked if v["weight"] > 0][:REASONS]


def check_state(result: RuleResult) -> str:
    """A fit/pitfall rule as a check: fired -> its status, silent -> pass, not asked, unknown."""
    if result.status == "fired":
        return result.rule.effect["status"]
    if result.not_applicable:
        return "not-asked"
    return "pass" if result.status == "silent" else "unknown"


def candidate_memory(facts: ModelFacts, task: dict[str, Any]) -> dict[str, MethodMemory] | None:
    """The one memory estimate of a candidate, per method, against the GPU budget."""
    found = memory.for_candidate(facts, task)
    out = {}
    for method, entry in found.items():
        est, fit = entry.estimate, entry.fit
        if est is None:
            continue
        out[method] = MethodMemory(
            need_gb=est.per_gpu_gb,
            formula=est.formula(),
            fits_gpu=None if fit is None else fit.verdict != "does not fit",
            verdict=fit.verdict if fit else None,
            components={c.name: round(c.gb, 2) for c in est.components},
            total_gb=est.total_gb,
            partial=est.partial,
            largest_seq_len=fit.largest_seq_len if fit else None,
            fix=(fit.fix_text() or None) if fit else None,
            settings=entry.setup.settings(),
        )
    return out or None


def _licence(facts: ModelFacts) -> Licence:
    licence_id = facts.get("license")
    terms = licences().get(licence_id.lower()) if isinstance(licence_id, str) else None
    commercial = facts.get("license_commercial")
    return Licence(
        id=licence_id,
        name=facts.get("license_name_full"),
        commercial_use=commercial,
        allows=ALLOWS.get(commercial, "unknown: read the licence text before you ship"),
        conditions=facts.get("license_conditions") or [],
        source=terms["source"] if terms else None,
    )


def _fit_candidates(
    task_ctx: dict[str, Any],
    by_kind: dict[str, list[Rule]],
    models: list[ModelFacts],
    variant: str,
    spec: TaskSpec,
) -> list[Candidate]:
    check_rules = by_kind.get("fit", []) + by_kind.get("pitfall", [])
    ids = {m.repo_id for m in models}
    method = spec.training.method
    candidates: list[Candidate] = []
    for pair, members in pairs(models).items():
        in_pair: list[Candidate] = []
        for facts in members:
            sibling = next((m.repo_id for m in members if m is not facts), None)
            estimate = candidate_memory(facts, task_ctx)
            chosen = estimate.get(method) if estimate else None
            ctx, not_asked = candidate_context(task_ctx, facts, ids, sibling, chosen)
            results = run_rules(check_rules, ctx, subject=facts.repo_id)
            # Only an unknown check can be waiting on the user's input.
            for check in (r for r in results if r.status == "unknown"):
                # A check whose user-side input is absent does not apply (nobody asked), whatever
                # the model facts: e.g. no GPU given, no memory check.
                not_given = [f for f in check.missing_facts if is_user_side(f, not_asked)]
                if not_given:
                    check.not_applicable = True
                    inputs = dict.fromkeys(ASKED_AS.get(f, f) for f in not_given)
                    check.message = "not checked: " + ", ".join(inputs) + " not given"
            checks = [Check(r, check_state(r)) for r in results]
            # Every state, in STATES order; one pass, not one per state (10,000 x 22 checks).
            counts = {**dict.fromkeys(STATES, 0), **Counter(check.state for check in checks)}
            in_pair.append(Candidate(facts, checks, pair, estimate, _licence(facts), counts=counts))
        _choose_in_pair(in_pair, variant)
        candidates += in_pair
    return candidates


def _choose_in_pair(members: list[Candidate], variant: str) -> None:
    """Recommend the repo of the decided variant only: a candidate that contradicts the verdict
    is never recommended (Phi has no base; a local base folder has no instruct sibling)."""
    matching = [c for c in members if c.facts.get("variant") == variant]
    for cand in members:
        if cand.facts.error:
            cand.why_not = cand.facts.error
        elif cand not in matching:
            other = cand.facts.get("variant", "unknown")
            cand.why_not = f"the verdict is {variant}; this is the {other} variant"
            if not matching:
                cand.why_not += f" and no {variant} variant of it is among the candidates"
        elif cand.counts["fail"]:
            failed = [c.rule_id for c in cand.checks if c.state == "fail"]
            cand.why_not = "fails " + ", ".join(failed)
        else:
            cand.recommended = True


def _scores(candidates: list[Candidate], unasked: set[str]) -> list[Score]:
    return [
        score(
            c.repo_id,
            {
                ch.rule_id: NOT_ASKED if ch.state == "pass" and ch.rule_id in unasked else ch.state
                for ch in c.checks
            },
        )
        for c in candidates
    ]


def _unasked(candidates: list[Candidate]) -> set[str]:
    """The checks the user gave no input for: not asked for one candidate is not asked for any.
    Whether a check waits on the user's input is the same for every candidate, but a model's
    facts can settle it without the input ("rope scaling needed?" is settled for a model that
    documents no longer context): that pass says nothing about the user's need, and counting it
    for some candidates and not others would rank on a question nobody asked. (A warning or a
    failure such a check raises still counts: it holds whatever the input.)"""
    return {ch.rule_id for c in candidates for ch in c.checks if ch.state == NOT_ASKED}


def _explain_pick(rec: Recommendation) -> None:
    """The pick (the top of the ranking of the recommended candidates, by the pick criteria of
    engine/pick.py), the ranking with its scores, why the pick beat the runner-up, or the
    closest candidate when no candidate of the verdict's variant passes."""
    summaries = {ch.rule_id: ch.result.rule.summary for c in rec.candidates for ch in c.checks}
    unasked = _unasked(rec.candidates)
    chosen = rank(_scores([c for c in rec.candidates if c.recommended], unasked))
    rec.ranking = [s.to_json() for s in chosen]
    if chosen:
        rec.repo = chosen[0].repo_id
        rec.pick_reason = reason(chosen[0], chosen[1] if len(chosen) > 1 else None, summaries)
        return
    usable = [c for c in rec.candidates if not c.facts.error and not c.counts.get("fail")]
    closest = rank(_scores(usable, unasked))
    if closest:
        other = rec.candidate(closest[0].repo_id)
        rec.closest = closest[0].repo_id
        variant = other.facts.get("variant", "unknown") if other else "unknown"
        rec.pick_reason = (
            f"No {rec.variant} candidate passes its checks (or none is among the candidates): "
            f"nothing is recommended. The closest is {rec.closest} ({variant}, score "
            f"{closest[0].total}/{closest[0].out_of}); add a {rec.variant} model to compare."
        )
    elif rec.no_facts_read():
        rec.pick_reason = "No candidate's facts could be read: nothing is recommended."
    else:
        rec.pick_reason = "No candidate passes its checks: nothing is recommended."


def _summarise(rec: Recommendation, task_ctx: dict[str, Any]) -> None:
    """What every format shows beyond the verdict: computed here once, so formats agree."""
    chosen = rec.candidate(rec.repo)
    if chosen:
        notes = [c for c in chosen.checks if c.result.rule.kind == "pitfall" and c.result.message]
        notes += [
            c
            for c in chosen.checks
            if c.result.rule.kind != "pitfall" and c.state in ("warn", "fail")
        ]
        rec.pick_notes = [{"rule": c.rule_id, "message": c.result.message} for c in notes]
    best = [s["repo_id"] for s in rec.ranking]
    chosen_ids = set(best)  # a set: thousands of candidates would make a list scan quadratic
    rest = [c.repo_id for c in rec.candidates if c.repo_id not in chosen_ids]
    rec.shortlist = (best + rest)[:SHORTLIST]
    grouped: dict[tuple[str, str], dict[str, Any]] = {}
    for cand in rec.candidates:
        for check in cand.checks:
            if check.state in ("warn", "fail"):
                entry = grouped.setdefault(
                    (check.state, check.rule_id),
                    {
                        "rule": check.rule_id,
                        "state": check.state,
                        "summary": check.result.rule.summary,
                        "candidates": [],
                        # a rule on the licence: its terms bind what you ship, so a short
                        # page never drops it
                        "licence_terms": any(
                            leaf.fact.startswith("model.license")
                            for leaf in check.result.rule.leaves
                        ),
                    },
                )
                entry["candidates"].append(cand.repo_id)
    rank = {"fail": 0, "warn": 1}
    rec.warnings = sorted(grouped.values(), key=lambda w: (rank[w["state"]], w["rule"]))
    first: dict[str | None, Licence] = {}  # each licence with conditions once, where it first shows
    for licence in (c.licence for c in rec.candidates if c.licence and c.licence.conditions):
        first.setdefault(licence.id, licence)
    rec.licences = [
        {"id": x.id, "name": x.name, "conditions": x.conditions} for x in first.values()
    ]
    rec.next_steps = next_steps(rec)
    rec.missing_facts = _missing_facts(rec)
    rec.memory_model = memory.memory_model(task_ctx, rec.spec.training.method)
    used = {r.rule.id: r.rule for r in rec.task_trace}
    used.update((ch.rule_id, ch.result.rule) for c in rec.candidates for ch in c.checks)
    rec.rules = {
        rule_id: {"kind": rule.kind, "name": rule.name, "summary": rule.summary}
        for rule_id, rule in sorted(used.items())
    }


def _missing_facts(rec: Recommendation) -> list[dict[str, Any]]:
    found: dict[tuple[str, str | None], set[str]] = {}
    for result in rec.task_trace + [ch.result for c in rec.candidates for ch in c.checks]:
        if result.status != "unknown":
            continue  # only an unknown result has missing facts (skips most of a big run)
        for fact in result.missing_facts:
            found.setdefault((fact, result.subject), set()).add(result.rule.id)
    return [
        {"fact": fact, "candidate": subject, "rules": sorted(rules)}
        for (fact, subject), rules in sorted(
            found.items(), key=lambda kv: (kv[0][1] or "", kv[0][0])
        )
    ]
