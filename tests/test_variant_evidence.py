"""Every case of every variant-evidence rule (advisor/knowledge/variant_evidence.yaml)."""

from __future__ import annotations

import pytest

from advisor.facts import MODEL_FIELDS, SOURCE_HUB_API, ModelFacts
from advisor.facts.variant import knowledge, matches, observations

SIGNALS = (
    "tags",
    "base_relation",
    "base_variant",
    "relation_checked",
    "special_token_ids",
    "card_base_model_relation",
)
CASES = [
    pytest.param(rule, case, id=f"{rule['id']}-{i}")
    for rule in knowledge()["rules"]
    for i, case in enumerate(rule["cases"])
]


def _seen(given: dict) -> dict:
    facts = ModelFacts(given["repo"])
    for name, value in given.items():
        if name in MODEL_FIELDS:
            facts.set(name, value, SOURCE_HUB_API)
        else:
            assert name in SIGNALS or name == "repo", f"unknown input {name!r}"
    return observations(facts, **{k: v for k, v in given.items() if k in SIGNALS})


@pytest.mark.parametrize(("rule", "case"), CASES)
def test_rule_case(rule, case):
    fired = matches(rule, _seen(case["given"])) is not None
    assert fired == (case["expect"] == "fires"), case


def test_every_rule_has_a_case_that_fires_and_one_that_stays_silent():
    for rule in knowledge()["rules"]:
        expects = {case["expect"] for case in rule["cases"]}
        assert expects == {"fires", "silent"}, rule["id"]
        assert rule["verdict"] in ("base", "instruct") and rule["weight"] > 0, rule["id"]
