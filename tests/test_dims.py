"""Architecture dimensions as facts: in the catalog with citations, and a parameter count from
them that matches the Hub's safetensors count."""

from __future__ import annotations

import pytest

from advisor import dims
from advisor.sources import catalog

# Catalog params known to be wrong in hub-metadata.yaml (shared/data/corrections.yaml fixes
# Mistral-Nemo-Base: 12.2B, not 11.58B); the dims count is right there.
CORRECTED_ELSEWHERE = {"mistralai/Mistral-Nemo-Base-2407"}


def text_only_entries() -> list[str]:
    """Catalogued repos with dims and a Hub parameter count, vision towers excluded."""
    ids = []
    for repo in catalog.repo_ids():
        facts = catalog.lookup(repo)
        architectures = facts.get("architectures") or []
        if any("ConditionalGeneration" in a for a in architectures):
            continue  # the Hub count includes the vision tower, the dims only the text model
        stated = facts.facts.get("params_b")
        if not facts.has("hidden_size"):
            continue  # no dims in arch-dims.yaml (the code models of code-models.yaml)
        if stated and stated.source == "catalog" and repo not in CORRECTED_ELSEWHERE:
            ids.append(repo)
    return ids


def test_most_catalog_entries_carry_dimensions_with_citations() -> None:
    with_dims = [r for r in catalog.repo_ids() if catalog.lookup(r).has("hidden_size")]
    assert len(with_dims) >= 80
    fact = catalog.lookup("Qwen/Qwen2.5-7B-Instruct").facts["num_key_value_heads"]
    assert fact.value == 4
    assert "arch-dims.yaml" in fact.detail and "@" in fact.detail  # repo path @commit


def test_moe_dimensions_in_the_catalog() -> None:
    facts = catalog.lookup("Qwen/Qwen3-30B-A3B")
    assert (facts.get("num_experts"), facts.get("num_experts_per_tok")) == (128, 8)
    assert facts.get("moe_intermediate_size") == 768
    assert not catalog.lookup("Qwen/Qwen3-8B").has("num_experts")  # unknown stays absent


@pytest.mark.parametrize("repo", text_only_entries())
def test_params_from_dimensions_match_the_hub_count_within_2_percent(repo: str) -> None:
    facts = catalog.lookup(repo)
    counted = dims.from_facts(facts).params() / 1e9
    assert abs(counted / facts.get("params_b") - 1) <= 0.02, (counted, facts.get("params_b"))


def test_gqa_narrows_k_and_v() -> None:
    shape = dims.from_facts(catalog.lookup("Qwen/Qwen2.5-7B-Instruct"))
    assert shape.attention_shapes()["q_proj"] == (3584, 3584)
    assert shape.attention_shapes()["k_proj"] == (3584, 512)  # 4 KV heads x 128
