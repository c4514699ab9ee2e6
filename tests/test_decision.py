"""The verdicts a user sees for the example specs, and the decision's invariants."""

from __future__ import annotations

import json
import random

import pytest
from conftest import EXAMPLES

from advisor.decide import recommend
from advisor.engine.loader import load_rules
from advisor.pipeline import candidate_ids, run
from advisor.sources.resolve import fetch_models
from advisor.spec import load_spec, parse_spec

RULES = load_rules()


def report_for(name: str) -> dict:
    rec = run(load_spec(str(EXAMPLES / name)), rules=RULES, source="catalog")
    return rec.to_json()


@pytest.mark.parametrize(
    "example, variant, exceptions, repo",
    [
        ("support-tickets.yaml", "instruct", [], "Qwen/Qwen2.5-7B-Instruct"),
        ("legal-cpt.yaml", "base", ["continued-pretraining"], "Qwen/Qwen2.5-7B"),
        ("own-alignment.yaml", "base", ["own-alignment"], "allenai/OLMo-2-1124-7B"),
        ("fim-autocomplete.yaml", "base", ["completion-task"], "Qwen/Qwen2.5-7B"),
        ("licence-conflict.yaml", "instruct", [], "microsoft/Phi-3.5-mini-instruct"),
    ],
)
def test_example_verdicts(example, variant, exceptions, repo):
    report = report_for(example)
    assert report["decision"]["variant"] == variant
    assert report["decision"]["exceptions"] == exceptions
    assert report["decision"]["repo"] == repo


def test_named_instruct_repo_brings_its_base_sibling_and_base_is_recommended():
    report = report_for("legal-cpt.yaml")
    by_repo = {c["repo_id"]: c for c in report["candidates"]}
    # The user named only Qwen2.5-7B-Instruct; its base sibling is the recommendation.
    assert by_repo["Qwen/Qwen2.5-7B"]["recommended"] is True
    assert by_repo["Qwen/Qwen2.5-7B-Instruct"]["recommended"] is False


def test_phi_has_no_base_release_and_says_so_when_base_wins():
    report = report_for("legal-cpt.yaml")
    phi = next(c for c in report["candidates"] if c["repo_id"] == "microsoft/Phi-3.5-mini-instruct")
    statuses = {c["rule"]: c["status"] for c in phi["checks"]}
    assert statuses["no-base-release"] == "warn"


def test_high_tax_alone_is_a_close_call_and_more_data_tips_it():
    few = report_for("medical-close-call.yaml")["decision"]
    assert few["alignment_tax"]["level"] == "high"
    assert (few["variant"], few["close_call"], few["confidence"]) == ("instruct", True, "low")
    many = report_for("security-high-tax.yaml")["decision"]
    assert many["variant"] == "base" and many["close_call"] is True
    assert "data-size-large" in [v["id"] for v in many["votes"]["base"]["rules"]]


def test_licence_conflicts_fail_the_right_candidates():
    report = report_for("licence-conflict.yaml")
    checks = {
        c["repo_id"]: {k["rule"]: k["status"] for k in c["checks"]} for c in report["candidates"]
    }
    assert checks["Qwen/Qwen2.5-3B-Instruct"]["licence-commercial-forbidden"] == "fail"
    assert checks["google/gemma-2-2b-it"]["licence-not-allowed"] == "fail"
    assert checks["microsoft/Phi-3.5-mini-instruct"]["licence-not-allowed"] == "pass"


def test_votes_are_explicit_sums_of_the_rules_behind_them():
    decision = report_for("legal-cpt.yaml")["decision"]
    for side in ("base", "instruct"):
        assert decision["votes"][side]["total"] == sum(
            r["weight"] for r in decision["votes"][side]["rules"]
        )


def test_rule_order_never_changes_the_result():
    spec = load_spec(str(EXAMPLES / "security-high-tax.yaml"))
    models = fetch_models(candidate_ids(spec), source="catalog")
    expected = json.dumps(recommend(spec, RULES, models).to_json(), sort_keys=True)
    for seed in range(5):
        shuffled = RULES[:]
        random.Random(seed).shuffle(shuffled)
        got = json.dumps(recommend(spec, shuffled, models).to_json(), sort_keys=True)
        assert got == expected


def test_every_rule_is_in_the_trace_and_missing_facts_are_listed():
    report = report_for("support-tickets.yaml")
    task_ids = {t["id"] for t in report["trace"] if "candidate" not in t}
    candidate_rules = {r.id for r in RULES if r.kind in ("fit", "pitfall")}
    assert task_ids == {r.id for r in RULES} - candidate_rules
    for cand in report["candidates"]:
        ids = {t["id"] for t in report["trace"] if t.get("candidate") == cand["repo_id"]}
        assert ids == candidate_rules
    missing = {(m["fact"], m["candidate"]) for m in report["missing_facts"]}
    # Nobody verified the Llama tokenizer's pad token: unknown, and said so.
    assert ("model.pad_token_set", "meta-llama/Llama-3.1-8B-Instruct") in missing


def test_an_unknown_repo_is_unknown_not_false():
    spec = parse_spec(
        "task: {description: Classify tickets}\nmodels: {candidates: [acme/secret-7b]}\n", "s"
    )
    report = run(spec, rules=RULES, source="catalog").to_json()
    cand = report["candidates"][0]
    assert cand["error"]["kind"] == "not-found"
    assert cand["recommended"] is False
    assert report["decision"]["repo"] is None
    assert any(c["status"] == "unknown" for c in cand["checks"])


def test_a_tie_keeps_the_instruct_default_and_is_a_close_call(tmp_path):
    (tmp_path / "team-leans-base.yaml").write_text(
        "id: team-leans-base\nsummary: s\nkind: heuristic\neffect: {vote: base, weight: 2}\n"
        "when: {fact: task.description, op: exists}\nmessage: m\n"
        "explain: {what: w, why: y}\n"
        "tests:\n  - {name: any, given: {task: {description: x}}, expect: fires}\n"
        "  - {name: none, given: {}, expect: silent}\n"
    )
    rules = load_rules([tmp_path])
    spec = parse_spec("task: {description: Classify tickets, kind: classification}\n", "s")
    decision = run(spec, rules=rules, source="catalog").to_json()["decision"]
    assert decision["votes"]["base"]["total"] == decision["votes"]["instruct"]["total"] == 2
    assert (decision["variant"], decision["close_call"], decision["confidence"]) == (
        "instruct",
        True,
        "low",
    )
