"""Catalog values a user relies on: the corrections from shared/data, languages, context,
code models, reasoning facts - and a checkable citation behind every one of them."""

from __future__ import annotations

import json
import re

import pytest
from conftest import ROOT

from advisor.decide import recommend
from advisor.engine.loader import load_rules
from advisor.sources.resolve import fetch_one
from advisor.spec import TaskSpec

RULES = load_rules()
CATALOG = json.loads((ROOT / "advisor" / "catalog" / "models.json").read_text("utf-8"))
# A citation names a URL, a commit, or the shared/data file (which then says it names none).
CITATION = re.compile(r"https?://|@[0-9a-f]{6,}|commit [0-9a-f]{6,}|shared/data|\b[0-9a-f]{7,}\b")


def fact(repo: str, name: str):
    facts = fetch_one(repo, source="catalog")  # with the derived facts, as a run sees them
    assert facts.error is None, repo
    return facts.get(name)


@pytest.mark.parametrize(
    "repo, name, value",
    [
        # phi-4's official tokenizer fix (commit 6fbb3d3): eos <|im_end|> 100265, pad 100349.
        ("microsoft/phi-4", "eos_token_id", [100265]),
        ("microsoft/phi-4", "pad_token_id", 100349),
        ("microsoft/phi-4", "pad_equals_eos", False),
        ("mistralai/Mistral-Nemo-Base-2407", "params_b", 12.248),
        ("mistralai/Mistral-Nemo-Base-2407", "context_length", 1024000),
        ("mistralai/Mistral-Nemo-Base-2407", "context_native", 131072),
        ("deepseek-ai/DeepSeek-R1-Distill-Llama-8B", "license", "mit"),
        ("deepseek-ai/DeepSeek-R1-Distill-Llama-8B", "license_upstream", "llama3.1"),
        ("deepseek-ai/DeepSeek-R1-Distill-Llama-70B", "license_upstream", "llama3.3"),
        ("deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", "license_upstream", "apache-2.0"),
        ("Qwen/Qwen3-32B", "family_has_base", False),
        ("Qwen/Qwen2.5-3B", "context_length", 32768),
    ],
)
def test_corrected_catalog_values(repo, name, value):
    assert fact(repo, name) == value


def test_phi4_no_longer_warns_pad_equals_eos():
    spec = TaskSpec.model_validate({"task": {"description": "support chat bot"}})
    rec = recommend(spec, RULES, [fetch_one("microsoft/phi-4", source="catalog")])
    checks = {c.rule_id: c.result.status for c in rec.candidates[0].checks}
    assert checks["pad-equals-eos"] == "silent"


def test_every_catalog_fact_prints_a_citation():
    for entry in CATALOG["models"]:
        for name, item in entry["facts"].items():
            detail = item["detail"]
            assert "sources: " in detail, (entry["repo_id"], name, detail)
            cites = detail.split("sources: ", 1)[1]
            assert "olb_params" not in cites and "mlc_preset" not in cites
            assert CITATION.search(cites) or "ASSUMPTION" in cites or "DERIVED" in cites, (
                entry["repo_id"],
                name,
                cites,
            )


def test_languages_declared_and_claimed():
    assert fact("Qwen/Qwen2.5-7B", "languages") == ["en"]
    assert "ja" in fact("Qwen/Qwen2.5-7B", "languages_claimed")
    assert fact("meta-llama/Llama-3.1-8B-Instruct", "languages") == [
        "en", "de", "fr", "it", "pt", "hi", "es", "th",
    ]  # fmt: skip
    # Qwen3 declares none and names none ("119 languages"): no claimed list, so unknown.
    assert fact("Qwen/Qwen3-8B", "languages") == []
    assert fact("Qwen/Qwen3-8B", "languages_claimed") is None


def test_documented_long_context_with_the_exact_snippet():
    snippet = json.loads(fact("Qwen/Qwen2.5-7B-Instruct", "context_scaling_snippet"))
    assert snippet == {
        "rope_scaling": {"factor": 4.0, "original_max_position_embeddings": 32768, "type": "yarn"}
    }
    assert fact("Qwen/Qwen2.5-7B-Instruct", "context_native") == 32768
    assert fact("Qwen/Qwen2.5-7B-Instruct", "context_documented") == 131072
    assert fact("Qwen/Qwen3-8B", "context_native") == 32768  # config 40960 is not trained length
    # 0.5B-3B Instruct are not extendable: nothing documented.
    assert fact("Qwen/Qwen2.5-3B-Instruct", "context_documented") is None


def test_code_models_carry_fim_tokens():
    assert "<|fim_prefix|>" in fact("Qwen/Qwen2.5-Coder-7B", "fim_tokens")
    assert "<fim_middle>" in fact("bigcode/starcoder2-7b", "fim_tokens")
    assert fact("bigcode/starcoder2-15b-instruct-v0.1", "fim_tokens") is None  # not verified
    assert fact("Qwen/Qwen2.5-Coder-7B", "code_model") is True


def test_reasoning_models_are_facts():
    assert fact("Qwen/Qwen3-8B", "thinking") == "hybrid"
    assert "enable_thinking" in fact("Qwen/Qwen3-8B", "thinking_notes")
    assert fact("deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", "thinking") == "always"
    assert fact("Qwen/Qwen3-8B-Base", "thinking") is None


def test_gemma3_layer_pattern_is_known():
    assert fact("google/gemma-3-4b-pt", "global_attention_every") == 6
    assert fact("google/gemma-2-2b", "global_attention_every") == 2


def _checks(spec: dict, repo: str) -> dict:
    rec = recommend(TaskSpec.model_validate(spec), RULES, [fetch_one(repo, source="catalog")])
    return {c.rule_id: c.result for c in rec.candidates[0].checks}


def test_64k_instruct_gets_the_yarn_warning_not_a_fail():
    spec = {"task": {"description": "answer questions over long contracts"},
            "constraints": {"min_context": 65536}}  # fmt: skip
    checks = _checks(spec, "Qwen/Qwen2.5-7B-Instruct")
    assert checks["context-too-short"].status == "silent"
    warn = checks["context-needs-rope-scaling"]
    assert warn.status == "fired"
    assert '"rope_scaling": {"factor": 4.0' in warn.message and "short texts" in warn.message
    # Qwen3-8B: native 32,768 (config 40,960), 131,072 documented with YaRN -> a warning too.
    assert _checks(spec, "Qwen/Qwen3-8B")["context-needs-rope-scaling"].status == "fired"
    # Qwen2.5-3B-Instruct documents no extension: a real fail.
    assert _checks(spec, "Qwen/Qwen2.5-3B-Instruct")["context-too-short"].status == "fired"


def test_gemma3_sliding_window_is_judged_by_its_layer_pattern():
    spec = {"task": {"description": "summarise reports"}, "data": {"max_tokens": 8000}}
    assert _checks(spec, "google/gemma-3-4b-it")["sliding-window-limit"].status == "silent"


def test_language_check_names_languages_and_unknown_is_never_a_pass():
    spec = {"task": {"description": "support bot"}, "constraints": {"languages": ["ja", "ko"]}}
    llama = _checks(spec, "meta-llama/Llama-3.1-8B-Instruct")["tokenizer-languages"]
    assert llama.status == "fired" and "Japanese, Korean" in llama.message
    assert _checks(spec, "Qwen/Qwen2.5-7B-Instruct")["tokenizer-languages"].status == "silent"
    assert _checks(spec, "Qwen/Qwen3-8B")["tokenizer-languages"].status == "unknown"


@pytest.mark.parametrize(
    "repo, upstream",
    [
        ("deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", "Qwen/Qwen2.5-Math-7B"),
        ("deepseek-ai/DeepSeek-R1-Distill-Qwen-14B", "Qwen/Qwen2.5-14B"),
        ("deepseek-ai/DeepSeek-R1-Distill-Llama-8B", "meta-llama/Llama-3.1-8B"),
    ],
)
def test_inherited_licence_names_the_model_it_comes_from(repo, upstream):
    # corrections.yaml annotates the four Qwen distills together (upstream Apache-2.0) without
    # one upstream model; each repo's own base_model is it. The warning said "derives from
    # unknown under apache-2.0".
    assert fact(repo, "license_upstream_model") == upstream
    spec = {"task": {"description": "Chat assistant"}, "constraints": {"commercial_use": True}}
    check = _checks(spec, repo)["licence-inherited"]
    assert check.status == "fired" and f"derives from {upstream} under" in check.message
