"""What would change the verdict: the smallest changes of user-side facts that flip it or make
it a close call, found by re-evaluating the decision rules, never written by hand.

The candidate changes come from the decision rules themselves: every value a clause compares
a user-side fact with (a threshold, an enum value, a list member, true/false). Each change is
applied to the task facts and the whole decision (tax -> exceptions -> votes) runs again. Single
changes first; pairs only when no single change flips the verdict.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

from advisor.context import USER_FIELDS
from advisor.engine.conditions import NUMERIC_OPS
from advisor.engine.loader import Rule
from advisor.values import value as format_value

DECISION_KINDS = ("alignment-tax", "exception", "default", "heuristic")
# Facts a user can state in a spec (task.signals and the description are read, not stated).
CHANGEABLE = ("task.kind", "task.domains", "task.style", *USER_FIELDS)
LIST_FACTS = ("task.domains", "task.style")
MAX_SHOWN = 4


def _changes(by_kind: dict[str, list[Rule]], ctx: dict[str, Any]) -> list[tuple[str, Any, str]]:
    """(fact, new value, how to say it) for every value a decision rule tests."""
    out: dict[tuple[str, str], tuple[str, Any, str]] = {}

    def add(fact: str, value: Any, text: str) -> None:
        current = ctx.get(fact)
        if fact in LIST_FACTS:
            if value in (current or []):
                return
            value = sorted({*(current or []), value})
        elif value == current:
            return
        out.setdefault((fact, repr(value)), (fact, value, text))

    for kind in DECISION_KINDS:
        for rule in by_kind.get(kind, []):
            for leaf in rule.leaves:
                fact = leaf.fact
                if fact not in CHANGEABLE or leaf.value_fact is not None:
                    continue
                v = leaf.value
                if leaf.op in ("eq", "ne") and isinstance(v, bool):
                    add(fact, True, f"{fact}: true")
                    add(fact, False, f"{fact}: false")
                elif leaf.op == "eq":
                    add(fact, v, f"{fact}: {format_value(v)}")
                elif leaf.op == "in":
                    for item in v:
                        add(fact, item, f"{fact}: {format_value(item)}")
                elif leaf.op in ("contains", "contains_any") and fact in LIST_FACTS:
                    for item in v if isinstance(v, list) else [v]:
                        add(fact, item, f"{fact} including {item}")
                elif leaf.op in NUMERIC_OPS and isinstance(v, (int, float)):
                    # Both sides of the threshold; said as the direction it moves the fact.
                    for new in (v - 1, v, v + 1):
                        add(fact, new, _numeric_text(fact, new, ctx.get(fact)))
    return list(out.values())


def _numeric_text(fact: str, new: float, current: Any) -> str:
    if isinstance(current, (int, float)) and new < current:
        return f"{fact} under {format_value(new + 1)}"
    return f"{fact} ≥ {format_value(new)}"


def _distance(fact: str, value: Any, ctx: dict[str, Any]) -> float:
    """How far a change moves a number (smaller is a smaller change)."""
    current = ctx.get(fact)
    numbers = isinstance(value, (int, float)) and isinstance(current, (int, float))
    if numbers and not isinstance(value, bool):
        return abs(value - current) / max(abs(current), 1)
    return 0.0


def what_would_change(
    task_ctx: dict[str, Any],
    by_kind: dict[str, list[Rule]],
    baseline: Any,
    facts: dict[str, dict[str, Any]],
) -> list[dict[str, Any]]:
    from advisor.decide import CLOSE_MARGIN, decide

    changes = _changes(by_kind, task_ctx)

    def run(applied: tuple[tuple[str, Any, str], ...]) -> Any:
        return decide({**task_ctx, **{fact: value for fact, value, _ in applied}}, by_kind)

    found: list[dict[str, Any]] = []
    for change in changes:
        result = run((change,))
        if effect := _effect(result, baseline, CLOSE_MARGIN):
            found.append(_entry((change,), result, effect, task_ctx, facts))
    if not any(f["effect"] == "flips" for f in found):
        # Pairs of changes to two different facts.
        for pair in (p for p in combinations(changes, 2) if p[0][0] != p[1][0]):
            result = run(pair)
            if _effect(result, baseline, CLOSE_MARGIN) == "flips":
                found.append(_entry(pair, result, "flips", task_ctx, facts))
    # Per fact (or pair of facts) and effect, keep the smallest change.
    best: dict[tuple[Any, str], dict[str, Any]] = {}
    for entry in found:
        # A number's smallest move per fact; each value of an enum or flag on its own.
        key = (
            tuple(
                c["fact"] if isinstance(c["to"], (int, float)) and not isinstance(c["to"], bool)
                else f"{c['fact']}={c['to']}"
                for c in entry["changes"]
            ),
            entry["effect"],
        )  # fmt: skip
        if key not in best or entry["_size"] < best[key]["_size"]:
            best[key] = entry
    # A fact the user stated (or the text said) is a smaller change than a new one, and
    # changing what the task is comes last.
    ranked = sorted(
        best.values(),
        key=lambda e: (
            e["effect"] != "flips",
            len(e["changes"]),
            sum(c["fact"] == "task.kind" for c in e["changes"]),
            sum(c["now"] is None for c in e["changes"]),
            e["_size"],
            e["summary"],
        ),
    )
    for entry in ranked:
        entry.pop("_size")
    return ranked[:MAX_SHOWN]


def _effect(result: Any, baseline: Any, close_margin: float) -> str | None:
    if result.variant != baseline.variant:
        return "flips"
    if result.margin < close_margin <= baseline.margin:
        return "close call"
    return None


def _entry(
    applied: tuple[tuple[str, Any, str], ...],
    result: Any,
    effect: str,
    ctx: dict[str, Any],
    facts: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    said = " and ".join(text for _, _, text in applied)
    outcome = (
        f"this becomes {result.variant}"
        if effect == "flips"
        else f"it becomes a close call ({result.variant} by {result.margin:g})"
    )
    return {
        "effect": effect,
        "variant": result.variant,
        "margin": result.margin,
        "changes": [
            {
                "fact": fact,
                "to": value,
                "now": ctx.get(fact),
                "origin": facts.get(fact, {}).get("origin", "inferred"),
                "text": text,
            }
            for fact, value, text in applied
        ],
        "summary": f"with {said} {outcome}",
        "_size": sum(_distance(f, v, ctx) for f, v, _ in applied),
    }
