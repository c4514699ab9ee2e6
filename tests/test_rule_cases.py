"""Every rule's own cases: each `given` must make the rule fire / stay silent / be unknown."""

from __future__ import annotations

import re

from advisor.engine.evaluate import run_rule
from advisor.engine.loader import load_rules

UNFILLED = re.compile(r"\{[a-z_]+(?:\.[a-z_]+)+\}")
EXPECTED_STATUS = {"fires": "fired", "silent": "silent", "unknown": "unknown"}
RULES = load_rules()


def pytest_generate_tests(metafunc):
    if "rule_case" in metafunc.fixturenames:
        cases = [(rule, case) for rule in RULES for case in rule.tests]
        metafunc.parametrize("rule_case", cases, ids=[f"{r.id}::{c.name}" for r, c in cases])


def test_rule_case(rule_case):
    rule, case = rule_case
    result = run_rule(rule, case.given)
    clauses = [c.to_json() for c in result.clauses]
    assert result.status == EXPECTED_STATUS[case.expect], (
        f"{rule.id} case {case.name}: expected {case.expect}, got {result.status}; "
        f"clauses {clauses}"
    )
    if result.status == "fired":
        # Every placeholder is filled (a value may itself hold braces: a rope_scaling snippet).
        assert result.message and not UNFILLED.search(result.message)


def test_every_clause_is_evaluated_even_when_the_answer_is_known_early():
    rule = next(r for r in RULES if r.id == "own-alignment")
    given = {"training.own_alignment": False, "task.kind": "classification", "task.signals": []}
    result = run_rule(rule, given)
    # all[...] is false after its first group, yet every leaf is in the trace.
    assert result.status == "silent"
    leaves = 9  # own-alignment's nine leaves: 2 + 2 + 3 + 2
    assert len(result.clauses) == leaves
    assert sum(1 for c in result.clauses if c.passed is None) == 1
