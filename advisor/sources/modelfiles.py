"""Facts from the small files of a model repo (config.json, tokenizer_config.json, chat template,
README front matter), the same for a local folder and for files downloaded from the Hub.

Every reader takes already-parsed data and records facts with their source; a value that is
absent or of the wrong type is left unknown rather than guessed.
"""

from __future__ import annotations

import contextlib
import math
from pathlib import Path
from typing import Any

from advisor import safejson
from advisor.facts import (
    SOURCE_CHAT_TEMPLATE,
    SOURCE_CONFIG,
    SOURCE_README,
    SOURCE_TOKENIZER_CONFIG,
    ModelFacts,
)
from advisor.safefile import open_regular
from advisor.sources.chat_template import detect_family, renders_tools

# JSON files we read are small (tokenizer_config.json of Falcon3 is 362 kB, the largest seen).
MAX_JSON_BYTES = 8 * 1024 * 1024
# A safetensors header lists tensor names and shapes: megabytes at most, never the weights.
MAX_SAFETENSORS_HEADER = 100 * 1024 * 1024
# All headers of one folder together: the largest real checkpoints (hundreds of shards) stay
# far below, while 200 hard links to one 10 MB header would take minutes to parse.
MAX_SAFETENSORS_HEADERS_PER_FOLDER = 64 * 1024 * 1024
MAX_README_BYTES = 1024 * 1024


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# Architecture dimensions: fact name -> config.json keys that hold it, the HF name first.
# Mixtral calls its expert count num_local_experts, DeepSeek-V2/V3 n_routed_experts.
DIMENSION_KEYS = {
    "hidden_size": ("hidden_size",),
    "intermediate_size": ("intermediate_size",),
    "num_hidden_layers": ("num_hidden_layers",),
    "num_attention_heads": ("num_attention_heads",),
    "num_key_value_heads": ("num_key_value_heads",),
    "head_dim": ("head_dim",),
    "num_experts": ("num_experts", "num_local_experts", "n_routed_experts"),
    "num_experts_per_tok": ("num_experts_per_tok",),
    "moe_intermediate_size": ("moe_intermediate_size",),
}


def _token_text(value: Any) -> str | None:
    """A special token as a string; older tokenizer_configs store an AddedToken dict."""
    text = value.get("content") if isinstance(value, dict) else value
    return text if isinstance(text, str) else None


def apply_config(
    facts: ModelFacts, config: Any, detail: str = "", source: str = SOURCE_CONFIG
) -> None:
    """config.json facts. Multimodal configs (Gemma 3 4B+) keep the text model in text_config."""
    if not isinstance(config, dict):
        return
    text = config.get("text_config") if isinstance(config.get("text_config"), dict) else {}

    def pick(key: str) -> Any:
        value = config.get(key)
        return text.get(key) if value is None else value

    def put(name: str, value: Any, note: str = "") -> None:
        facts.set_default(name, value, source, detail + note)

    model_type = pick("model_type")
    put("model_type", model_type if isinstance(model_type, str) else None)
    arch = config.get("architectures")
    if isinstance(arch, list) and all(isinstance(a, str) for a in arch):
        put("architectures", arch)
    put("context_length", _int(pick("max_position_embeddings")))
    # Qwen2 configs carry a sliding_window value with use_sliding_window false: not in use.
    window = _int(pick("sliding_window"))
    if window and pick("use_sliding_window") is not False:
        put("sliding_window", window)
    rope = pick("rope_scaling")
    if isinstance(rope, dict):
        kind = rope.get("rope_type") or rope.get("type")
        factor = rope.get("factor")
        put("rope_scaling", str(kind) if kind else None, f" (factor {factor})" if factor else "")
    put("vocab_size", _int(pick("vocab_size")))
    for name, keys in DIMENSION_KEYS.items():
        if found := next(((k, pick(k)) for k in keys if (_int(pick(k)) or 0) > 0), None):
            put(name, found[1], "" if found[0] == name else f" ({found[0]})")
    eos = pick("eos_token_id")
    if _int(eos) is not None:
        eos = [eos]
    if isinstance(eos, list) and eos and all(_int(e) is not None for e in eos):
        put("eos_token_id", eos)
    put("pad_token_id", _int(pick("pad_token_id")))
    tie = pick("tie_word_embeddings")
    put("tie_word_embeddings", tie if isinstance(tie, bool) else None)
    quant = config.get("quantization_config") or text.get("quantization_config")
    if isinstance(quant, dict):
        method = quant.get("quant_method") or "quantised"
        bits = quant.get("bits") or ("4" if quant.get("load_in_4bit") else None)
        put("quantized", True, f" quantization_config: {method}" + (f" {bits}-bit" if bits else ""))


def quant_bits(config: Any) -> int | None:
    """Weight bits from a quantization_config (GPTQ/AWQ bits, bitsandbytes load_in_4bit)."""
    quant = config.get("quantization_config") if isinstance(config, dict) else None
    if not isinstance(quant, dict):
        return None
    if quant.get("load_in_4bit") or quant.get("bnb_4bit_quant_type"):
        return 4
    bits = quant.get("bits") or quant.get("w_bit")
    return bits if isinstance(bits, int) else None


def apply_tokenizer_config(
    facts: ModelFacts, tok: Any, source: str = SOURCE_TOKENIZER_CONFIG, detail: str = ""
) -> None:
    """tokenizer_config.json facts, its chat template's among them (`detail` says where)."""
    if not isinstance(tok, dict):
        return
    if isinstance(tok.get("tokenizer_class"), str):
        facts.set_default("tokenizer_class", tok["tokenizer_class"], source, detail)
    for name in ("bos_token", "eos_token", "pad_token"):
        facts.set_default(name, _token_text(tok.get(name)), source, detail)
    # Fill-in-the-middle tokens the tokenizer defines: <|fim_prefix|> (Qwen2.5-Coder),
    # <fim_prefix> (StarCoder2), <｜fim▁begin｜> (DeepSeek-Coder) - prefix, suffix/hole, middle/end.
    fim = [t for t in special_tokens(tok) if "fim" in t.lower() and len(t) <= 32]
    if len(fim) >= 3:
        facts.set_default("fim_tokens", fim, source, f"{detail} added_tokens_decoder")
    apply_template(facts, template_text(tok.get("chat_template")), detail)


def special_tokens(tok: Any) -> dict[str, int]:
    """Special-token strings -> ids from added_tokens_decoder (to compare with config ids)."""
    decoder = tok.get("added_tokens_decoder") if isinstance(tok, dict) else None
    found: dict[str, int] = {}
    for key, entry in decoder.items() if isinstance(decoder, dict) else ():
        if isinstance(entry, dict) and isinstance(entry.get("content"), str):
            with contextlib.suppress(ValueError):  # a key that is no number
                found[entry["content"]] = int(key)
    return found


def template_text(value: Any) -> str | None:
    """The default chat template: a string, or a list of named templates (pick 'default')."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        # Names are untrusted JSON: only string names can key the lookup (a list would raise).
        named = {
            t.get("name"): t.get("template")
            for t in value
            if isinstance(t, dict) and isinstance(t.get("name"), str)
        }
        chosen = named.get("default") or next(iter(named.values()), None)
        return chosen if isinstance(chosen, str) else None
    return None


def apply_template(facts: ModelFacts, template: str | None, where: str) -> None:
    """Chat template presence and family; `where` says which file it came from."""
    if template is None:
        return
    facts.set_default("chat_template_present", True, SOURCE_CHAT_TEMPLATE, where)
    family, marker = detect_family(template)
    facts.set_default("chat_template_family", family, SOURCE_CHAT_TEMPLATE, f"{where}: {marker}")
    tools, evidence = renders_tools(template)
    facts.set_default("chat_template_tools", tools, SOURCE_CHAT_TEMPLATE, f"{where}: {evidence}")


def apply_card(facts: ModelFacts, card: Any, source: str = SOURCE_README, detail: str = "") -> None:
    """Model card metadata (README front matter or the Hub's cardData)."""
    if not isinstance(card, dict):
        return
    licence = card.get("license")
    if isinstance(licence, list):
        licence = licence[0] if licence else None
    if licence == "other" and isinstance(card.get("license_name"), str):
        facts.set_default("license", card["license_name"], source, f"{detail} license: other")
    elif isinstance(licence, str):
        facts.set_default("license", licence, source, detail)
    base = card.get("base_model")
    if isinstance(base, list):
        base = base[0] if len(base) == 1 else None  # a merge of several is no single parent
    if isinstance(base, str) and base:
        facts.set_default("base_model", base, source, detail)
    languages = card.get("language")
    if isinstance(languages, str):
        languages = [languages]
    if isinstance(languages, list) and all(isinstance(x, str) for x in languages) and languages:
        facts.set_default("languages", languages, source, detail)


def card_relation(card: Any) -> str | None:
    """The model card's base_model_relation (adapter, merge, quantized, finetune), if it says."""
    relation = card.get("base_model_relation") if isinstance(card, dict) else None
    return relation if relation in ("adapter", "merge", "quantized", "finetune") else None


def front_matter(text: str, origin: str = "README.md") -> dict[str, Any] | None:
    """YAML front matter between the leading '---' lines of a README, or None.

    Read with the same loader as specs (no aliases, depth and value bounds): a card is
    untrusted, and a front matter we cannot read is no front matter.
    """
    end = text.find("\n---", 3)
    if not text.startswith("---") or end < 0:
        return None
    from advisor.errors import UserError
    from advisor.yamlfile import load_yaml

    try:
        data = load_yaml(text[3:end], origin).data
    except UserError:
        return None
    return data if isinstance(data, dict) else None


def read_safetensors_header(path: Path, max_header: int = MAX_SAFETENSORS_HEADER) -> bytes:
    """The JSON header of a .safetensors file, at most max_header bytes.

    The format: 8 bytes little-endian u64 header length, then that many bytes of JSON mapping
    tensor names to {dtype, shape, data_offsets} (plus an optional __metadata__).
    """
    with open_regular(path) as handle:  # a FIFO named *.safetensors must not hang us
        prefix = handle.read(8)
        if len(prefix) != 8:
            raise ValueError(f"{path}: shorter than a safetensors header")
        length = int.from_bytes(prefix, "little")
        if length <= 1 or length > max_header:
            raise ValueError(f"{path}: header length {length} out of bounds")
        raw = handle.read(length)
    if len(raw) != length:
        raise ValueError(f"{path}: truncated safetensors header")
    return raw


def header_counts(raw: bytes, path: Path) -> dict[str, int]:
    """Element counts per dtype from the bytes of a safetensors header."""
    try:
        header = safejson.loads(raw)
    except safejson.JSONValueError as exc:
        raise ValueError(f"{path}: safetensors header: {exc}") from None
    if not isinstance(header, dict):
        raise ValueError(f"{path}: safetensors header is not a mapping")
    counts: dict[str, int] = {}
    for name, tensor in header.items():
        if name == "__metadata__" or not isinstance(tensor, dict):
            continue
        shape = tensor.get("shape")
        if not isinstance(shape, list) or not all(_int(d) is not None for d in shape):
            raise ValueError(f"{path}: tensor {name!r} has no valid shape")
        dtype = str(tensor.get("dtype", "?"))
        counts[dtype] = counts.get(dtype, 0) + math.prod(shape)
    return counts


def param_count(counts: dict[str, int], bits: int | None) -> tuple[int, str]:
    """Parameters from per-dtype element counts, unpacking packed 4-bit storage.

    Quantised checkpoints store several weights per U8/I32 element, so the raw sum undercounts
    (a 4-bit 8B model shows ~1-2B). Only unpack when the config says the weights are quantised.
    """
    total = sum(counts.values())
    if not bits or bits >= 8:
        return total, ""
    per = {"U8": 8 // bits, "I32": 32 // bits}  # weights per element (4-bit: 2 per U8, 8 per I32)
    unpacked = sum(n * per.get(dtype, 1) for dtype, n in counts.items())
    if unpacked == total:
        return total, ""
    return unpacked, f"packed {bits}-bit storage unpacked ({total:,} stored elements)"


def apply_params(facts: ModelFacts, count: int, source: str, detail: str) -> None:
    if count > 0:
        facts.set_default("params_b", round(count / 1e9, 3), source, detail)
