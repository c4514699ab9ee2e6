"""Facts that follow from other facts, the same for every source (catalog, Hub, local folder)."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from advisor import packaged, regexcache
from advisor.facts import SOURCE_CONFIG, SOURCE_CONFIG_DIMS, SOURCE_DERIVED, ModelFacts

# The token that closes an assistant turn in each chat format; "eos" means the tokenizer's EOS.
TEMPLATE_END_OF_TURN = {
    "chatml": "<|im_end|>",
    "phi4": "<|im_end|>",
    "llama3": "<|eot_id|>",
    "gemma": "<end_of_turn>",
    "mistral": "</s>",
    "phi3": "<|end|>",
    "phi4-mini": "<|end|>",
    "deepseek-r1": "<｜end▁of▁sentence｜>",
    "tulu": "eos",
    "zephyr": "eos",
}

# A name part that is a size in billions: "7B", "1.5B", "9b" (not "8x7B" or "A2.7B", and not
# "135M" or "1M", which in a name can be a context length: "Qwen2.5-7B-Instruct-1M").
_NAMED_SIZE = regexcache.compile(r"(\d+(?:\.\d+)?)[bB]")


@lru_cache(maxsize=1)
def saved_templates() -> dict[str, dict[str, Any]]:
    """What is known of each repo's chat template as saved (knowledge/chat_template_hashes.yaml)."""
    from advisor.yamlcache import load_packaged

    path = packaged.folder("advisor.knowledge") / "chat_template_hashes.yaml"
    return load_packaged(path).data["templates"]


@lru_cache(maxsize=1)
def licences() -> dict[str, dict[str, Any]]:
    """Licence conditions as their texts state them (from shared/data/licence-conditions.yaml)."""
    text = packaged.read_text("advisor.catalog", "licences.json")
    return json.loads(text)["licences"]


def complete(facts: ModelFacts) -> ModelFacts:
    """Add the derived facts; never overwrite a fact a source stated."""

    def derived(name: str, value: Any, detail: str) -> None:
        facts.set_default(name, value, SOURCE_DERIVED, detail)

    licence = facts.get("license")
    if isinstance(licence, str) and (terms := licences().get(licence.lower())):
        cited = terms["source"]
        derived("license_commercial", terms["commercial_use"], f"licence text ({cited})")
        derived("license_name_full", terms["name"], cited)
        stated = map(terms.get, ("user_threshold", "attribution", "naming_requirement"))
        # The licence table writes "none ..." where a licence has no such clause.
        if conditions := [c for c in stated if c and not c.lower().startswith("none")]:
            derived("license_conditions", conditions, cited)
    family = facts.get("chat_template_family")
    eot = TEMPLATE_END_OF_TURN.get(family) if isinstance(family, str) else None
    eos = facts.get("eos_token")
    if eot == "eos" and isinstance(eos, str):
        eot = eos
    if eot and eot != "eos":
        derived("chat_template_eot", eot, f"{family} chat format")
        if isinstance(eos, str):
            versus = f"template turn end {eot} vs eos_token {eos}"
            derived("template_eot_matches_eos", eot == eos, versus)
    saved = saved_templates().get(facts.repo_id) or {}
    if isinstance(saved.get("tools"), bool):
        # A template read from the Hub or a folder has said it already (set_default keeps it).
        reads = "reads a" if saved["tools"] else "has no"
        detail = f"saved chat template ({saved['source']}) {reads} tools variable"
        derived("chat_template_tools", saved["tools"], detail)
    pad, pad_id = facts.get("pad_token"), facts.get("pad_token_id")
    # Only a present token is evidence here; a provider that read a tokenizer config with a null
    # pad / eos sets *_token_set to False itself.
    if isinstance(pad, str):
        derived("pad_token_set", True, "pad_token")
    if isinstance(eos, str):
        derived("eos_token_set", True, "eos_token")
    eos_ids = facts.get("eos_token_id")
    if isinstance(pad, str) and isinstance(eos, str):
        derived("pad_equals_eos", pad == eos, "pad_token vs eos_token")
    elif isinstance(pad_id, int) and isinstance(eos_ids, list) and eos_ids:
        derived("pad_equals_eos", pad_id in eos_ids, "pad_token_id vs eos_token_id")
    if facts.get("variant") == "base":
        derived("family_has_base", True, "this repo is a base release")
    _params_from_dimensions(facts)
    _size_named(facts)
    context = facts.get("context_length")
    if isinstance(context, int):
        # Without a card figure, the config's max_position_embeddings is the best native length
        # known (a card that says otherwise, e.g. Qwen3's 32,768 under 40,960, is in the catalog).
        origin = facts.facts["context_length"].source
        documented = "no longer or shorter trained length is documented"
        derived("context_native", context, f"max_position_embeddings ({origin}); {documented}")
    return facts


def _size_named(facts: ModelFacts) -> None:
    """The size class the repo's name gives: "Qwen2.5-7B-Instruct" is the 7B class though it has
    7.62B parameters, which is what a user means by "7B max". None when the name gives no size
    or more than one."""
    name = facts.repo_id.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    sizes = [m.group(1) for part in name.split("-") if (m := _NAMED_SIZE.fullmatch(part))]
    if len(sizes) == 1:
        size = float(sizes[0])
        facts.set_default("params_named_b", size, SOURCE_DERIVED, f"the repo name {name}")


def _params_from_dimensions(facts: ModelFacts) -> None:
    """Parameters counted from the config dimensions when no safetensors header gave them."""
    if facts.has("params_b"):
        return
    from advisor import dims  # only needed when the count is missing

    shape = dims.from_facts(facts)
    if shape is None:
        return
    read_from = facts.facts["hidden_size"].source
    source = SOURCE_CONFIG_DIMS if read_from == SOURCE_CONFIG else SOURCE_DERIVED
    notes = list(shape.assumptions)
    architectures = facts.get("architectures") or []
    if any("ConditionalGeneration" in a for a in architectures):
        notes.append("text model only: a vision tower is not counted")
    detail = "; ".join([f"{shape.formula()} (dimensions from {read_from})", *notes])
    facts.set("params_b", round(shape.params() / 1e9, 3), source, detail)
