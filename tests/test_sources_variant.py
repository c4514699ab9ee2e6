"""Base or instruct, with evidence: the traps the shared Hub data shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.facts import SOURCE_CHAT_TEMPLATE, SOURCE_TOKENIZER_CONFIG, ModelFacts
from advisor.facts.variant import classify
from advisor.sources.chat_template import detect_family

FIXTURES = Path(__file__).parent / "fixtures" / "hub"


def verdict(repo_id: str, **facts_and_signals) -> ModelFacts:
    signals = {
        k: facts_and_signals.pop(k)
        for k in list(facts_and_signals)
        if k in ("tags", "base_relation", "base_variant", "relation_checked")
    }
    facts = ModelFacts(repo_id)
    for name, value in facts_and_signals.items():
        facts.set(name, value, SOURCE_TOKENIZER_CONFIG)
    return classify(facts, **signals)


@pytest.mark.parametrize(
    ("repo_id", "expected"),
    [
        ("Qwen/Qwen3-8B", "instruct"),  # no suffix: post-trained
        ("Qwen/Qwen3-30B-A3B", "instruct"),
        ("Qwen/Qwen3-8B-Base", "base"),
        ("google/gemma-3-4b-pt", "base"),
        ("google/gemma-3-4b-it", "instruct"),
        ("google/gemma-2-9b", "base"),  # Gemma 2 base has no suffix
        ("microsoft/phi-4", "instruct"),  # Phi has no base release
        ("tiiuae/Falcon3-7B-Base", "base"),
        ("meta-llama/Llama-3.1-8B-Instruct", "instruct"),
        ("TinyLlama/TinyLlama-1.1B-Chat-v1.0", "instruct"),
        ("deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", "instruct"),
    ],
)
def test_name_traps(repo_id: str, expected: str) -> None:
    facts = verdict(repo_id)
    assert facts.get("variant") == expected
    assert facts.variant_evidence and facts.variant_confidence in ("high", "medium")


def test_base_shipping_a_chat_template_stays_base() -> None:
    facts = ModelFacts("Qwen/Qwen2.5-7B")
    facts.set("chat_template_present", True, SOURCE_CHAT_TEMPLATE)
    facts.set("chat_template_family", "chatml", SOURCE_CHAT_TEMPLATE)
    facts.set("eos_token", "<|endoftext|>", SOURCE_TOKENIZER_CONFIG)
    classify(facts, relation_checked=True)
    assert facts.get("variant") == "base"
    assert any("<|im_end|> is not the EOS token <|endoftext|>" in e for e in facts.variant_evidence)


def test_same_template_with_matching_eos_reads_instruct() -> None:
    facts = ModelFacts("someone/mystery-model")
    facts.set("chat_template_present", True, SOURCE_CHAT_TEMPLATE)
    facts.set("chat_template_family", "chatml", SOURCE_CHAT_TEMPLATE)
    facts.set("eos_token", "<|im_end|>", SOURCE_TOKENIZER_CONFIG)
    assert classify(facts).get("variant") == "instruct"


def test_quantised_finetune_of_an_instruct_model_is_instruct() -> None:
    facts = verdict(
        "someone/my-model-awq", base_model="Qwen/Qwen2.5-7B-Instruct", base_relation="quantized"
    )
    assert facts.get("variant") == "instruct"
    assert any("a quantisation of Qwen/Qwen2.5-7B-Instruct" in e for e in facts.variant_evidence)


def test_quantisation_of_a_base_model_is_base() -> None:
    facts = verdict(
        "someone/Llama-3.1-8B-bnb-4bit",
        base_model="meta-llama/Llama-3.1-8B",
        base_relation="quantized",
        base_variant="base",
    )
    assert facts.get("variant") == "base"


def test_no_evidence_is_unknown_not_a_guess() -> None:
    facts = verdict("someone/mystery")
    assert facts.get("variant") == "unknown"
    assert facts.variant_confidence == "unknown"


@pytest.mark.parametrize(
    ("fixture", "family"),
    [
        ("Qwen__Qwen2.5-7B-Instruct.jinja", "chatml"),
        ("Qwen__Qwen3-0.6B.jinja", "chatml"),
        ("google__gemma-2-2b-it.jinja", "gemma"),
        ("meta-llama__Llama-3.1-8B-Instruct.jinja", "llama3"),
        ("microsoft__Phi-3.5-mini-instruct.jinja", "phi3"),
        ("mistralai__Mistral-Nemo-Instruct-2407.jinja", "mistral"),
        ("deepseek-ai__DeepSeek-R1-Distill-Qwen-32B.jinja", "deepseek-r1"),
    ],
)
def test_template_family_of_real_templates(fixture: str, family: str) -> None:
    assert detect_family((FIXTURES / fixture).read_text("utf-8"))[0] == family


def test_zephyr_and_tulu_told_apart() -> None:
    zephyr = (
        "{% for m in messages %}{{ '<|user|>\n' + m['content'] + eos_token }}"
        "{{ '<|assistant|>' }}{% endfor %}"
    )
    tulu = (
        "{% for m in messages %}{{ '<|user|>\n' + m['content'] + '\n' }}"
        "{{ '<|assistant|>\n' + m['content'] + eos_token }}{% endfor %}"
    )
    assert detect_family(zephyr)[0] == "zephyr"
    assert detect_family(tulu)[0] == "tulu"
