"""`advisor inspect` of a continued-pretraining fine-tune of a base, served by the fake Hub:
no chat template, Hub tag `base`, base_model Qwen/Qwen2.5-7B -> base (issue 11)."""

from __future__ import annotations

from fakehub import fixture_json, make_repo

from advisor.inspect_view import render_text
from advisor.sources.resolve import inspect_model

REPO = "acme/qwen2.5-7b-patents-cpt"


def _cpt_repo():
    config = fixture_json("qwen2.5-0.5b-instruct.config.json") | {"eos_token_id": 151643}
    tokenizer = {"tokenizer_class": "Qwen2Tokenizer", "eos_token": "<|endoftext|>"}
    repo = make_repo(
        REPO,
        config=config,
        tokenizer=tokenizer,
        base=("Qwen/Qwen2.5-7B", "finetune"),
        tags=["transformers", "safetensors", "text-generation", "base"],
    )
    repo.info["cardData"]["base_model_relation"] = "finetune"
    return repo


def test_inspect_cpt_of_a_base_says_base(hub):
    hub.repos[REPO] = _cpt_repo()
    facts = inspect_model(REPO, source="hub")
    assert facts.get("base_model") == "Qwen/Qwen2.5-7B"
    assert facts.get("variant") == "base", facts.variant_evidence
    page = render_text(facts)
    assert "variant: base" in page
    assert "Hub tag 'base'" in page and "continued pretraining" in page


def test_inspect_cli_says_base(hub, cli, tmp_path):
    hub.repos[REPO] = _cpt_repo()
    result = cli("inspect", REPO, "--source", "hub", env={"HF_HUB_OFFLINE": "0"})
    assert result.returncode == 0, result.stderr
    assert "variant: base" in result.stdout


def test_fim_tokens_are_read_from_the_tokenizer_config(hub):
    config = fixture_json("qwen2.5-0.5b-instruct.config.json") | {"eos_token_id": 151643}
    tokens = ["<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|fim_pad|>"]
    tokenizer = {
        "eos_token": "<|endoftext|>",
        "added_tokens_decoder": {
            str(151659 + i): {"content": t, "special": False} for i, t in enumerate(tokens)
        },
    }
    hub.repos["acme/coder"] = make_repo("acme/coder", config=config, tokenizer=tokenizer)
    facts = inspect_model("acme/coder", source="hub")
    assert facts.get("fim_tokens") == tokens
    assert "added_tokens_decoder" in facts.facts["fim_tokens"].detail
