"""What a sentence says about hardware and lengths reaches the recommendation (advisor --task).

The reader's cases (knowledge/quantities.yaml, constraints.yaml) check each phrase; these check
that the run acts on it: the GPU count and memory in the estimate, the family the user named.
"""

from __future__ import annotations

import json


def _run(cli, task: str) -> dict:
    result = cli("recommend", "--task", task, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _fact(out: dict, name: str):
    return out["task"]["facts"][name]["value"]


def test_two_a100s_make_a_full_fine_tune_of_a_7b_fit(cli):
    out = _run(cli, "ticket classifier, 5k examples, full fine-tune on 2x A100 80GB")
    assert (_fact(out, "training.gpus"), _fact(out, "training.gpu_memory_gb")) == (2, 80.0)
    pick = next(c for c in out["candidates"] if c["repo_id"] == out["decision"]["repo"])
    assert pick["facts"]["params_b"]["value"] > 7  # one 80 GB card would not hold it
    assert pick["memory"]["full"]["fits_gpu"] is True


def test_data_in_gigabytes_is_not_the_gpu(cli):
    out = _run(cli, "Continue pretraining Mistral 7B on 5GB of French legal text on a 40GB A100")
    assert _fact(out, "training.gpu_memory_gb") == 40.0
    assert out["decision"]["repo"] == "mistralai/Mistral-7B-v0.3"


def test_a_named_family_that_does_not_fit_the_gpu_is_still_compared(cli):
    out = _run(cli, "fine-tune Mistral 7B as a support chatbot on a 6GB GPU")
    repos = {c["repo_id"] for c in out["candidates"]}
    assert repos == {"mistralai/Mistral-7B-v0.3", "mistralai/Mistral-7B-Instruct-v0.3"}
    instruct = next(c for c in out["candidates"] if c["repo_id"].endswith("Instruct-v0.3"))
    states = {c["rule"]: c["state"] for c in instruct["checks"]}
    assert states["memory-over-budget"] == "fail"


def test_a_named_family_above_the_default_size_class_is_compared_not_replaced(cli):
    """Mistral-Nemo has one size, 12.2B, over the default 8.5B class: naming it compared the
    default set instead, and the pick was Phi-3.5-mini, a model the user never asked about."""
    out = _run(cli, "use Mistral Nemo for a 100k-token contract analysis task")
    repos = {c["repo_id"] for c in out["candidates"]}
    assert repos == {"mistralai/Mistral-Nemo-Base-2407", "mistralai/Mistral-Nemo-Instruct-2407"}
    assert out["decision"]["repo"] == "mistralai/Mistral-Nemo-Instruct-2407"


def test_a_size_limit_said_with_a_named_family_is_checked_not_obeyed_silently(cli):
    out = _run(cli, "Mistral Nemo as a support chatbot, max 8B params")
    instruct = next(c for c in out["candidates"] if c["repo_id"].endswith("Instruct-2407"))
    states = {c["rule"]: c["state"] for c in instruct["checks"]}
    assert states["params-over-limit"] == "fail"


def test_an_acceptable_licence_is_not_an_allowlist(cli):
    out = _run(cli, "text-to-SQL assistant, 10k pairs, the Llama license is fine, one H100")
    assert _fact(out, "constraints.licenses") is None
    assert out["decision"]["repo"]  # a pick, not "no candidate passes"
    assert _fact(out, "training.gpu_memory_gb") == 80.0


def test_context_and_example_lengths_reach_the_context_check(cli):
    out = _run(cli, "summarise transcripts of ~30k tokens; a 64k context window would be nice")
    assert _fact(out, "data.max_tokens") == 30000
    assert _fact(out, "constraints.min_context") == 64000
    # Qwen2.5-7B-Instruct: 32,768 native, 131,072 documented with YaRN -> the rope warning.
    qwen = next(c for c in out["candidates"] if c["repo_id"] == "Qwen/Qwen2.5-7B-Instruct")
    states = {c["rule"]: c["state"] for c in qwen["checks"]}
    assert states["context-needs-rope-scaling"] == "warn"
