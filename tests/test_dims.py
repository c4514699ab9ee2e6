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
            continue  # no dims (starcoder2-15b-instruct: none in code-models.yaml either)
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


CODE_MODELS = [
    "Qwen/Qwen2.5-Coder-1.5B",
    "Qwen/Qwen2.5-Coder-7B-Instruct",
    "bigcode/starcoder2-3b",
    "bigcode/starcoder2-7b",
    "bigcode/starcoder2-15b",
    "deepseek-ai/deepseek-coder-6.7b-base",
]


@pytest.mark.parametrize("repo", CODE_MODELS)
def test_code_models_carry_the_dims_code_models_yaml_cites(repo: str) -> None:
    # code-models.yaml keeps dims under arch_extra; without them the memory of the repo a code
    # task picks was only a lower bound (">16.2 GB"), activations and logits left out.
    from advisor.memory import TrainingSetup, estimate

    facts = catalog.lookup(repo)
    assert "code-models.yaml" in facts.facts["hidden_size"].detail
    shape = dims.from_facts(facts)
    assert shape is not None
    assert shape.params() == pytest.approx(facts.get("params_b") * 1e9, rel=0.02)
    assert not estimate(shape, TrainingSetup()).partial


def test_a_config_no_real_model_has_gives_no_dimensions(tmp_path, cli) -> None:
    # hidden_size 2**62 printed "3.27e+41 GB per GPU": a damaged or hostile config.json is
    # refused by name, and its parameter count stays unknown.
    (tmp_path / "config.json").write_text(
        '{"model_type": "llama", "hidden_size": 4611686018427387904, "num_hidden_layers": 32,'
        ' "num_attention_heads": 32, "vocab_size": 32000, "intermediate_size": 11008}'
    )
    result = cli("memory", str(tmp_path))
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "hidden_size 4,611,686,018,427,387,904 is over 1,048,576" in result.stderr
    shown = cli("inspect", str(tmp_path), "--format", "json")
    assert "e+" not in shown.stdout and '"params_b": {' not in shown.stdout
    real = catalog.lookup("Qwen/Qwen2.5-7B-Instruct")
    assert dims.out_of_range(real) is None and dims.from_facts(real) is not None
