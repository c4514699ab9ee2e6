"""The rules as a whole: docs and cases, unique ids, load-time validation, docs/rules.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.engine.docs import reference_markdown
from advisor.engine.loader import load_rule_file, load_rules
from advisor.errors import UserError

ROOT = Path(__file__).resolve().parents[1]
RULES = load_rules()


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_has_a_firing_and_a_silent_case_and_says_what_and_why(rule):
    expects = {case.expect for case in rule.tests}
    assert "fires" in expects, f"{rule.id} has no `fires` case"
    assert "silent" in expects, f"{rule.id} has no `silent` case"
    assert rule.explain["what"].strip() and rule.explain["why"].strip()
    assert rule.summary.strip()


def test_the_mission_rules_are_present_with_their_stable_slugs():
    ids = {r.id for r in RULES}
    assert {"default-instruct", "continued-pretraining", "own-alignment", "completion-task"} <= ids
    exceptions = {r.id for r in RULES if r.kind == "exception"}
    assert exceptions == {"continued-pretraining", "own-alignment", "completion-task"}
    kinds = {r.kind for r in RULES}
    assert kinds == {"default", "exception", "alignment-tax", "heuristic", "fit", "pitfall"}


def test_docs_rules_md_is_generated_from_the_rule_files():
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == reference_markdown(RULES), (
        "docs/rules.md is stale: run `advisor rules doc -o docs/rules.md`"
    )


RULE_HEAD = """id: {id}
summary: s
kind: fit
effect: {{status: warn}}
message: m
explain: {{what: w, why: y}}
tests: []
"""


def write_rule(tmp_path: Path, rule_id: str, when: str, head: str = RULE_HEAD) -> Path:
    path = tmp_path / f"{rule_id}.yaml"
    path.write_text(head.format(id=rule_id) + when, encoding="utf-8")
    return path


def test_unknown_fact_is_rejected_with_file_rule_path_and_suggestion(tmp_path):
    path = write_rule(
        tmp_path, "typo", "when:\n  all:\n    - {fact: model.contxt_length, op: gt, value: 1}\n"
    )
    with pytest.raises(UserError) as err:
        load_rule_file(path)
    line = str(err.value)
    assert line.startswith(f"{path}:10: when.all[0].fact: unknown fact 'model.contxt_length'")
    assert "rule 'typo'" in line
    assert "did you mean 'model.context_length'" in line


def test_unknown_operator_is_rejected_with_suggestion(tmp_path):
    path = write_rule(tmp_path, "badop", "when: {fact: model.params_b, op: greater, value: 1}\n")
    with pytest.raises(UserError, match=r"when\.op: unknown operator 'greater'"):
        load_rule_file(path)


def test_wrong_value_for_an_enum_fact_is_rejected(tmp_path):
    path = write_rule(tmp_path, "enum", "when: {fact: model.variant, op: eq, value: instrcut}\n")
    with pytest.raises(UserError, match="did you mean 'instruct'"):
        load_rule_file(path)


def test_id_must_match_the_file_name(tmp_path):
    path = tmp_path / "one.yaml"
    path.write_text(RULE_HEAD.format(id="two") + "when: {fact: model.gated, op: eq, value: true}\n")
    with pytest.raises(UserError, match="must equal the file name 'one'"):
        load_rule_file(path)


def test_a_user_rule_cannot_reuse_a_builtin_id(tmp_path):
    write_rule(tmp_path, "gated-repo", "when: {fact: model.gated, op: eq, value: true}\n")
    with pytest.raises(UserError, match="already defined"):
        load_rules([tmp_path])


def test_message_placeholders_must_name_known_facts(tmp_path):
    path = write_rule(tmp_path, "msg", "when: {fact: model.gated, op: eq, value: true}\n")
    text = path.read_text().replace("message: m", "message: 'needs {data.exampels}'")
    path.write_text(text)
    with pytest.raises(UserError, match="did you mean 'data.examples'"):
        load_rule_file(path)
