"""Normalised facts about a model and a training set, each fact with where it came from.

A fact that nobody verified is *absent*, never False or 0: the rules treat an absent fact as
unknown, and the report lists it as missing.
"""

from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple

# Where a fact came from. Providers use these names; reports show them.
SOURCE_CATALOG = "catalog"
SOURCE_HUB_API = "hub-api"
SOURCE_CONFIG = "config.json"
SOURCE_TOKENIZER_CONFIG = "tokenizer_config.json"
SOURCE_CHAT_TEMPLATE = "chat_template"
SOURCE_README = "README front matter"
SOURCE_SAFETENSORS = "safetensors header"
SOURCE_DERIVED = "derived"
SOURCE_CONFIG_DIMS = "computed from config.json"

# Every model fact the rules may name, as `model.<name>`, with its type and meaning.
# Types: str, int, float, bool, list (of str), or an enum given as a tuple of allowed strings.
MODEL_FIELDS: dict[str, tuple[Any, str]] = {
    "repo_id": ("str", "Hub repo id (org/name) or local path"),
    "family": ("str", "model family, e.g. Qwen2.5, Llama-3.1"),
    "variant": (("base", "instruct", "unknown"), "pretrained base or post-trained instruct/chat"),
    "family_has_base": ("bool", "whether the family released a base (pretrained-only) checkpoint"),
    "license": ("str", "Hub licence id; for 'other' the license_name (e.g. qwen-research)"),
    "license_commercial": (("yes", "no", "conditional"), "commercial use under the licence text"),
    "license_name_full": ("str", "the licence's full name"),
    "license_conditions": ("list", "conditions the licence attaches (user thresholds, naming...)"),
    "gated": ("bool", "the repo requires accepting terms on the Hub before download"),
    "params_b": ("float", "parameter count, in billions"),
    "params_named_b": ("float", "the size class the repo name gives ('Qwen2.5-7B' -> 7)"),
    "context_length": ("int", "max_position_embeddings (text model)"),
    "sliding_window": ("int", "sliding-window attention size, when the model uses one"),
    "rope_scaling": ("str", "rope scaling type (llama3, linear, longrope, yarn...)"),
    "vocab_size": ("int", "tokenizer vocabulary size (config.json)"),
    "tokenizer_class": ("str", "tokenizer class from tokenizer_config.json"),
    "bos_token": ("str", "beginning-of-sequence token string"),
    "eos_token": ("str", "end-of-sequence token string"),
    "pad_token": ("str", "padding token string"),
    "eos_token_id": ("list", "end-of-sequence token id(s) from config.json"),
    "pad_token_id": ("int", "padding token id from config.json"),
    "pad_token_set": ("bool", "the tokenizer config was read and defines a pad token"),
    "eos_token_set": ("bool", "the tokenizer config was read and defines an eos token"),
    "pad_equals_eos": ("bool", "the pad token is the EOS token (padding masks EOS in the loss)"),
    "chat_template_present": ("bool", "a chat template ships with the tokenizer"),
    "chat_template_family": ("str", "chat format: chatml, llama3, mistral, gemma, phi3, ..."),
    "chat_template_eot": ("str", "the token that ends a turn in the chat template"),
    "template_eot_matches_eos": ("bool", "the template's end-of-turn token is the EOS token"),
    "chat_template_tools": ("bool", "the chat template renders a tools list (tool calling)"),
    "base_model": ("str", "the repo this one was post-trained from"),
    "instruct_sibling": ("str", "the official post-trained sibling of a base repo"),
    "languages": ("list", "languages the model card declares"),
    "model_type": ("str", "config.json model_type"),
    "architectures": ("list", "config.json architectures"),
    "tie_word_embeddings": ("bool", "input and output embeddings are shared"),
    # Architecture dimensions, named as in HF config.json (text_config for multimodal models).
    "hidden_size": ("int", "width of the residual stream (config.json hidden_size)"),
    "intermediate_size": ("int", "MLP width of a dense layer (config.json intermediate_size)"),
    "num_hidden_layers": ("int", "number of transformer layers"),
    "num_attention_heads": ("int", "query heads per layer"),
    "num_key_value_heads": ("int", "key/value heads per layer (fewer than query heads: GQA)"),
    "head_dim": ("int", "width of one attention head, when the config sets it"),
    "num_experts": ("int", "MoE: experts per layer (all resident in memory)"),
    "num_experts_per_tok": ("int", "MoE: experts each token is routed to"),
    "moe_intermediate_size": ("int", "MoE: MLP width of one expert"),
    "quantized": ("bool", "weights are stored quantised (GPTQ/AWQ/bnb 4-bit...)"),
    # Languages, context, code and reasoning facts (shared/data/languages-context.yaml,
    # code-models.yaml, arch-dims.yaml; see tools/catalog_overlays.py).
    "languages_claimed": ("list", "languages the model card's prose names as supported"),
    "languages_claim": ("str", "what the model card's prose says about languages"),
    "context_native": ("int", "context the model was trained for, without rope scaling"),
    "context_documented": ("int", "longer context the card documents with rope scaling"),
    "context_scaling": ("str", "how the card says to reach context_documented (e.g. YaRN)"),
    "context_scaling_snippet": ("str", "the exact rope_scaling JSON the card says to add"),
    "global_attention_every": ("int", "one layer in N attends globally (the rest slide)"),
    "code_model": ("bool", "a code-model family (trained mostly on source code)"),
    "fim_tokens": ("list", "fill-in-the-middle special tokens the tokenizer defines"),
    "fim_format": ("str", "the fill-in-the-middle prompt layout the card documents"),
    "thinking": (("hybrid", "always"), "reasoning model: hybrid thinking switch or always"),
    "thinking_notes": ("str", "how the reasoning trace is switched and kept in history"),
    "license_upstream": ("str", "licence of the model this one was derived from"),
    "license_upstream_model": ("str", "the model whose licence still applies"),
}


class Fact(NamedTuple):
    """A value, where it came from, and the detail that cites it."""

    value: Any
    source: str
    detail: str = ""


@dataclass(eq=False)
class ModelFacts:
    """What we know about one repo, field by field, with provenance."""

    repo_id: str
    facts: dict[str, Fact] = field(default_factory=dict)
    variant_evidence: list[str] = field(default_factory=list)
    variant_confidence: str = "unknown"  # high | medium | low | unknown
    sources: list[str] = field(default_factory=list)  # where a catalog entry's facts were read
    # A fetch problem for this candidate only (others proceed): kind and a one-line message.
    error_kind: str | None = None
    error: str | None = None

    def get(self, name: str, default: Any = None) -> Any:
        fact = self.facts.get(name)
        return default if fact is None else fact.value

    def has(self, name: str) -> bool:
        return name in self.facts

    def set(self, name: str, value: Any, source: str, detail: str = "") -> None:
        """Record a fact; None means unknown and records nothing."""
        if name not in MODEL_FIELDS:
            raise KeyError(f"unknown model fact {name!r}")
        if value is None:
            return
        self.facts[name] = Fact(value, source, detail)

    def set_default(self, name: str, value: Any, source: str, detail: str = "") -> None:
        """Record a fact only when no better source has set it already."""
        if name not in self.facts:
            self.set(name, value, source, detail)

    def missing(self) -> list[str]:
        return [name for name in MODEL_FIELDS if name not in self.facts]

    def as_context(self) -> dict[str, Any]:
        return {f"model.{name}": fact.value for name, fact in self.facts.items()}

    def facts_json(self) -> dict[str, dict[str, Any]]:
        return {
            name: {"value": f.value, "source": f.source, "detail": f.detail}
            for name, f in sorted(self.facts.items())
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "repo_id": self.repo_id,
            "facts": self.facts_json(),
            "variant_evidence": list(self.variant_evidence),
            "variant_confidence": self.variant_confidence,
            "missing": self.missing(),
            "error": {"kind": self.error_kind, "message": self.error} if self.error else None,
        }


@dataclass
class DatasetProfile:
    """What a training file holds, measured by streaming through it."""

    path: str
    format: str | None = None  # one of dataformats.DATA_FORMATS, or None when undecided
    rows: int = 0
    max_tokens: int | None = None
    p95_tokens: int | None = None
    token_method: str = "approximate (characters / 4)"
    formats_seen: dict[str, int] = field(default_factory=dict)
    malformed: list[tuple[int, str]] = field(default_factory=list)  # first few (line, reason)
    malformed_count: int = 0
    warnings: list[str] = field(default_factory=list)
    # How much of the file was read and how many rows were parsed and classified (every row of
    # a small file; a sample of a large JSONL or Parquet file).
    bytes_read: int = 0
    sampled_rows: int = 0

    def to_json(self) -> dict[str, Any]:
        """Every field, in this order, as copies; each malformed row as {line, reason}."""
        out = asdict(self)
        out["malformed"] = [{"line": line, "reason": reason} for line, reason in self.malformed]
        return out
