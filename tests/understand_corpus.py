"""Score the free-text reader on the labelled corpus (tests/corpus/descriptions.yaml).

A case is right when the verdict advisor gives for the text alone is the labelled one AND every
expectation holds (kind, data.examples read, signals / domains / style present or absent with
"!", facts read). Used by tests/test_understand_corpus.py and bench/understand_corpus.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from advisor.decide import recommend
from advisor.engine.loader import load_rules
from advisor.spec import TaskSpec

CORPUS = Path(__file__).parent / "corpus" / "descriptions.yaml"


def cases() -> list[dict[str, Any]]:
    return yaml.safe_load(CORPUS.read_text("utf-8"))["cases"]


def _problems(case: dict[str, Any], rec: Any) -> list[str]:
    out = []
    if rec.variant != case["verdict"]:
        out.append(f"verdict {rec.variant}, expected {case['verdict']}")
    u = rec.understanding
    expect = case.get("expect") or {}
    if "kind" in expect and u.kind != expect["kind"]:
        out.append(f"kind {u.kind}, expected {expect['kind']}")
    if "examples" in expect:
        got = rec.facts["data.examples"]["value"]
        if got != expect["examples"]:
            out.append(f"data.examples {got}, expected {expect['examples']}")
    for name in ("signals", "domains", "style"):
        have = set(getattr(u, name))
        for item in expect.get(name, []):
            if item.startswith("!") and item[1:] in have:
                out.append(f"{name} has {item[1:]}")
            elif not item.startswith("!") and item not in have:
                out.append(f"{name} lacks {item}")
    for fact, value in (expect.get("facts") or {}).items():
        got = rec.facts.get(fact, {}).get("value")
        if got != value:
            out.append(f"{fact} {got!r}, expected {value!r}")
    return out


def score() -> tuple[dict[str, tuple[int, int]], list[tuple[dict[str, Any], list[str]]]]:
    """Per category (right, total), and the wrong cases with what was wrong."""
    rules = load_rules()
    per: dict[str, list[int]] = {}
    wrong = []
    for case in cases():
        spec = TaskSpec.model_validate({"task": {"description": case["text"]}})
        rec = recommend(spec, rules, [])
        problems = _problems(case, rec)
        tally = per.setdefault(case["cat"], [0, 0])
        tally[1] += 1
        if problems:
            wrong.append((case, problems))
        else:
            tally[0] += 1
    return {k: (v[0], v[1]) for k, v in per.items()}, wrong


def table(per: dict[str, tuple[int, int]]) -> str:
    lines = [f"{'category':<18} {'right':>5} {'total':>5} {'score':>6}"]
    for cat, (right, total) in per.items():
        lines.append(f"{cat:<18} {right:>5} {total:>5} {right / total:>6.0%}")
    right = sum(r for r, _ in per.values())
    total = sum(t for _, t in per.values())
    lines.append(f"{'all':<18} {right:>5} {total:>5} {right / total:>6.0%}")
    return "\n".join(lines)
