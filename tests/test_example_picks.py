"""The pick a practitioner would make for four tasks, with the reason printed (issue 11)."""

from __future__ import annotations

import json

import pytest
from conftest import EXAMPLES
from report_cases import check_golden

CASES = {
    # CPT on Japanese patents: a long-context base whose card claims Japanese, not OLMo 2.
    "japanese-patents-cpt": ("base", "Qwen/Qwen2.5-7B", "on languages"),
    # FIM autocomplete: a code model whose tokenizer defines FIM tokens. Qwen2.5-Coder-7B's LoRA
    # needs 21.0 of the 24 GB (tight); StarCoder2-7B and DeepSeek-Coder fit more loosely, but
    # their licence terms are unknown for this commercial product: Apache-2.0 wins on licence.
    "fim-code-autocomplete": ("base", "Qwen/Qwen2.5-Coder-7B", "on licence"),
    # 64K instruct: Qwen2.5-7B-Instruct with the YaRN warning, not a fail.
    "long-context-64k": ("instruct", "Qwen/Qwen2.5-7B-Instruct", "ranks above"),
    # German support bot under apache-2.0: an apache-2.0 instruct model that claims German.
    "german-support-bot": ("instruct", "Qwen/Qwen2.5-7B-Instruct", "on languages"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_example_pick_with_its_reason(cli, name):
    variant, repo, reason = CASES[name]
    spec = str(EXAMPLES / f"{name}.yaml")
    result = cli("recommend", spec, "--format", "json")
    assert result.returncode == 0, result.stderr
    decision = json.loads(result.stdout)["decision"]
    assert (decision["variant"], decision["repo"]) == (variant, repo)
    assert reason in decision["pick_reason"]
    assert decision["ranking"][0]["repo_id"] == repo
    page = cli("recommend", spec)
    assert f"Why this repo: {repo}" in page.stdout
    check_golden(f"examples/{name}.txt", page.stdout)


def test_64k_pick_names_the_rope_scaling_to_add(cli):
    page = cli("recommend", str(EXAMPLES / "long-context-64k.yaml")).stdout
    assert "[context-needs-rope-scaling]" in page
    assert '"type": "yarn"' in page and "short" in page


def test_japanese_cpt_runner_ups_are_not_olmo(cli):
    out = cli("recommend", str(EXAMPLES / "japanese-patents-cpt.yaml"), "--format", "json")
    ranking = [r["repo_id"] for r in json.loads(out.stdout)["decision"]["ranking"]]
    assert "allenai/OLMo-2-1124-7B" not in ranking[:3]
