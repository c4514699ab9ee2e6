"""--task reads what a sentence says; flags say it explicitly and win; absent stays absent."""

from __future__ import annotations

import json


def _json(result):
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_task_reads_the_number_of_examples_and_vetoes_own_alignment(cli):
    text = "our own SFT then DPO in our own chat format, but we only have 150 examples"
    result = cli("recommend", "--task", text, "--format", "json")
    report = _json(result)
    facts = report["task"]["facts"]
    assert facts["data.examples"] == {"value": 150, "origin": "inferred", "from": "150 examples"}
    assert report["decision"]["variant"] == "instruct"
    assert "read from --task: data.examples = 150" in result.stderr
    # "in our own chat format" is chat data too; more examples is one of the flips to base.
    assert facts["data.format"]["value"] == "chat"
    changes = report["decision"]["what_would_change"]
    assert any(
        c["variant"] == "base" and [ch["fact"] for ch in c["changes"]] == ["data.examples"]
        for c in changes
    )


def test_task_constraints_are_read_and_flags_win(cli):
    text = (
        "support bot; single 8 GB GPU with QLoRA; commercial use, apache-2.0 or MIT only; "
        "must handle Japanese"
    )
    result = cli("recommend", "--task", text, "--gpu-gb", "24GB", "--format", "json")
    facts = _json(result)["task"]["facts"]
    assert facts["training.gpu_memory_gb"]["value"] == 24.0
    assert facts["training.gpu_memory_gb"]["origin"] == "given"
    assert facts["training.method"] == {"value": "qlora", "origin": "inferred", "from": "QLoRA"}
    assert facts["constraints.licenses"]["value"] == ["apache-2.0", "mit"]
    assert facts["constraints.languages"]["value"] == ["ja"]
    assert "the flag wins" in result.stderr


def test_training_settings_in_words_reach_the_memory_estimate_and_are_said(cli):
    text = (
        "support chatbot, 10k conversations, LoRA rank 64, micro-batch 4, 8-bit AdamW, "
        "max length 2048, one A100 80GB"
    )
    result = cli("recommend", "--task", text, "--format", "json")
    report = _json(result)
    facts = report["task"]["facts"]
    assert facts["training.lora_rank"] == {
        "value": 64,
        "origin": "inferred",
        "from": "LoRA rank 64",
    }
    assert facts["training.batch_size"]["value"] == 4
    assert facts["training.optimizer"]["value"] == "adamw-8bit"
    for name in (
        "training.lora_rank = 64",
        "training.batch_size = 4",
        "training.optimizer = adamw-8bit",
    ):
        assert f"read from --task: {name}" in result.stderr
    settings = report["memory_model"]["settings"]
    assert (settings["lora_rank"], settings["batch_size"], settings["optimizer"]) == (
        64,
        4,
        "adamw-8bit",
    )
    assert (
        "(lora, seq 2,048, micro-batch 4)" in report["candidates"][0]["memory"]["lora"]["formula"]
    )
    # Settings nobody said are not listed as facts at all.
    assert "training.sharding" not in facts


def test_flags_for_licence_language_candidate_and_size(cli):
    result = cli(
        "recommend", "--task", "Classify support tickets", "--license", "apache-2.0",
        "--language", "de", "--candidate", "Qwen/Qwen2.5-7B-Instruct", "--max-params", "8B",
        "--method", "lora", "--format", "json",
    )  # fmt: skip
    report = _json(result)
    spec = report["task"]["spec"]
    assert spec["constraints"]["licenses"] == ["apache-2.0"]
    assert spec["constraints"]["languages"] == ["de"]
    assert spec["constraints"]["max_params"] == 8_000_000_000
    assert {c["repo_id"] for c in report["candidates"]} >= {"Qwen/Qwen2.5-7B-Instruct"}


def test_nothing_understood_says_so_and_lowers_confidence(cli):
    result = cli("recommend", "--task", "make it better at our stuff", "--format", "json")
    report = _json(result)
    assert report["task"]["understood"] is False
    assert "advisor ask" in report["task"]["hint"]
    assert report["decision"]["confidence"] == "low"
    assert "nothing in --task was understood" in result.stderr
    text = cli("recommend", "--task", "make it better at our stuff").stdout
    assert "understood: nothing" in text


def test_a_silent_custom_chat_format_is_not_false(cli, tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "task:\n  description: our own SFT and DPO pipeline for a support assistant\n"
        "data:\n  format: chat\n  examples: 200000\ntraining:\n  own_alignment: true\n"
    )
    report = _json(cli("recommend", str(spec), "--format", "json"))
    assert report["decision"]["variant"] == "base"
    assert report["task"]["facts"]["training.custom_chat_format"]["origin"] == "not asked"
    assert report["task"]["facts"]["training.own_alignment"]["origin"] == "given"


def test_a_tool_calling_task_warns_on_templates_that_render_no_tools(cli):
    text = "an agent that calls our booking APIs via function calling, 3k tool-use traces"
    report = _json(
        cli(
            "recommend",
            "--task",
            text,
            "--candidate",
            "google/gemma-2-2b-it",
            "--candidate",
            "Qwen/Qwen2.5-7B-Instruct",
            "--format",
            "json",
        )
    )
    assert "tool-calling" in report["task"]["understanding"]["signals"]
    states = {
        c["repo_id"]: next(x["state"] for x in c["checks"] if x["rule"] == "template-no-tools")
        for c in report["candidates"]
    }
    assert states["google/gemma-2-2b-it"] == "warn"
    assert states["Qwen/Qwen2.5-7B-Instruct"] == "pass"
    assert states["google/gemma-2-2b"] == "unknown"  # a base repo's template bytes: not known
    assert report["decision"]["repo"] == "Qwen/Qwen2.5-7B-Instruct"
