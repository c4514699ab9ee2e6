"""A size limit as users mean it: "up to 7B" is the 7B class, which model names round.

Qwen2.5-7B has 7.62B parameters; a user who writes "models up to 7B" wants it among the
candidates (with a warning that it is over a strict reading), not silently left out.
"""

from __future__ import annotations

import json

import pytest

from advisor.facts import ModelFacts
from advisor.facts.derive import complete


@pytest.mark.parametrize(
    ("repo_id", "named"),
    [
        ("Qwen/Qwen2.5-7B-Instruct", 7.0),
        ("google/gemma-2-9b-it", 9.0),
        ("deepseek-ai/deepseek-coder-6.7b-base", 6.7),
        ("allenai/OLMo-2-1124-13B", 13.0),
        ("Qwen/Qwen2.5-7B-Instruct-1M", 7.0),  # 1M is the context, not a size in billions
        ("mistralai/Mixtral-8x7B-v0.1", None),  # 46.7B in all: the name gives no one size
        ("Qwen/Qwen1.5-MoE-A2.7B", None),  # active parameters, not the size
        ("microsoft/Phi-3.5-mini-instruct", None),
        ("HuggingFaceTB/SmolLM2-135M", None),
        ("/models/llama-3-8b", 8.0),  # a local folder: its last part
    ],
)
def test_the_size_a_repo_name_gives(repo_id, named):
    facts = complete(ModelFacts(repo_id))
    assert facts.get("params_named_b") == named


def test_up_to_7b_takes_in_the_models_named_7b(cli):
    task = "customer support chatbot, models up to 7B, one 24GB GPU, LoRA"
    out = json.loads(cli("recommend", "--task", task, "--format", "json").stdout)
    repos = [c["repo_id"] for c in out["candidates"]]
    assert "Qwen/Qwen2.5-7B-Instruct" in repos and "mistralai/Mistral-7B-Instruct-v0.3" in repos
    # Named 8B: over a 7B limit, not in the default set.
    assert "meta-llama/Llama-3.1-8B-Instruct" not in repos
    qwen = next(c for c in out["candidates"] if c["repo_id"] == "Qwen/Qwen2.5-7B-Instruct")
    states = {c["rule"]: c["state"] for c in qwen["checks"]}
    assert states["params-near-limit"] == "warn" and states["params-over-limit"] == "pass"


def test_a_model_named_over_the_limit_still_fails(cli, tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "task: {description: support chatbot, kind: chat}\n"
        "constraints: {max_params: 7B}\n"
        "models: {candidates: [meta-llama/Llama-3.1-8B-Instruct, Qwen/Qwen2.5-7B-Instruct]}\n"
    )
    out = json.loads(cli("recommend", str(spec), "--format", "json").stdout)
    states = {c["repo_id"]: {k["rule"]: k["state"] for k in c["checks"]} for c in out["candidates"]}
    assert states["meta-llama/Llama-3.1-8B-Instruct"]["params-over-limit"] == "fail"
    assert states["Qwen/Qwen2.5-7B-Instruct"]["params-over-limit"] == "pass"
    assert out["decision"]["repo"] == "Qwen/Qwen2.5-7B-Instruct"
