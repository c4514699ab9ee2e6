"""Regenerate the embedded catalog from the sourced facts in ../shared/data.

    python tools/build_catalog.py [SHARED_DATA_DIR]

Writes advisor/catalog/models.json and advisor/catalog/licences.json. JSON, not YAML, because
the catalog is read on every offline run and json parses it several times faster.
Nothing is filled in from memory: a null in the source stays absent here.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "advisor" / "catalog"

# catalog field -> (fact name, field_sources keys that back it)
FIELD_MAP = {
    "params_billions": ("params_b", ["params_billions", "params_total"]),
    "max_position_embeddings": ("context_length", ["max_position_embeddings"]),
    "sliding_window": ("sliding_window", ["sliding_window"]),
    "vocab_size": ("vocab_size", ["vocab_size"]),
    "model_type": ("model_type", ["model_type"]),
    "architectures": ("architectures", ["architectures"]),
    "tie_word_embeddings": ("tie_word_embeddings", ["tie_word_embeddings"]),
    "base_model": ("base_model", ["base_model"]),
    "instruct_sibling": ("instruct_sibling", ["instruct_sibling"]),
}

TEMPLATE_FAMILIES = [  # (prefix of the catalog's description, normalised family)
    ("chatml-like with <|im_sep|>", "phi4"),
    ("chatml", "chatml"),
    ("llama3", "llama3"),
    ("mistral", "mistral"),
    ("gemma", "gemma"),
    ("phi3", "phi3"),
    ("phi ", "phi4-mini"),
    ("deepseek-r1", "deepseek-r1"),
    ("tulu", "tulu"),
    ("zephyr", "zephyr"),
]


def normalise_variant(raw: str) -> tuple[str, bool | None]:
    """The catalog's free-text variant -> (base|instruct, family_has_base or None)."""
    text = raw.lower()
    no_base = "no base" in text or "no separate base" in text
    if text.startswith("base"):
        return "base", True
    if any(word in text for word in ("instruct", "chat", "hybrid", "reasoning", "-it")):
        return "instruct", (False if no_base else None)
    raise SystemExit(f"unrecognised variant {raw!r}: extend normalise_variant")


def template_family(raw: str | None) -> str | None:
    if not raw:
        return None
    for prefix, family in TEMPLATE_FAMILIES:
        if raw.lower().startswith(prefix):
            return family
    raise SystemExit(f"unrecognised chat template family {raw!r}: extend TEMPLATE_FAMILIES")


def sources_for(entry: dict, keys: list[str]) -> str:
    ids: list[str] = []
    for key in keys:
        ids += [i for i in (entry.get("field_sources") or {}).get(key, []) if i not in ids]
    return ", ".join(ids)


def build_entry(entry: dict) -> dict:
    facts: dict[str, dict] = {}

    def put(name: str, value, detail: str = "") -> None:
        if value is not None:
            facts[name] = {"value": value, "detail": detail}

    variant, has_base = normalise_variant(entry["variant"])
    put("variant", variant, f"catalog variant: {entry['variant']}")
    put("family", entry["family"])
    if has_base is not None:
        put("family_has_base", has_base, entry["variant"])
    licence = entry["license"]
    if licence == "other" and entry.get("license_name"):
        licence = entry["license_name"]
    put(
        "license",
        licence,
        f"{entry.get('license_basis') or ''} (confidence {entry.get('license_confidence')}; "
        f"{sources_for(entry, ['license'])})",
    )
    put(
        "gated",
        entry.get("gated"),
        f"{entry.get('gated_basis') or ''} (confidence {entry.get('gated_confidence')})",
    )
    for field, (name, keys) in FIELD_MAP.items():
        value = entry.get(field)
        if field == "params_billions" and entry.get("params_total"):
            value = round(entry["params_total"] / 1e9, 6)
        put(name, value, sources_for(entry, keys))
    rope = entry.get("rope_scaling")
    if isinstance(rope, dict):
        put(
            "rope_scaling",
            rope.get("rope_type") or rope.get("type"),
            sources_for(entry, ["rope_scaling"]),
        )
    tok = entry.get("tokenizer") or {}
    put("tokenizer_class", tok.get("class"), sources_for(entry, ["tokenizer_class"]))
    for key in ("bos_token", "eos_token", "pad_token"):
        put(key, tok.get(key), sources_for(entry, [key]))
    ids = entry.get("config_token_ids") or {}
    eos = ids.get("eos")
    put(
        "eos_token_id",
        [eos] if isinstance(eos, int) else eos,
        sources_for(entry, ["config_eos_token_id"]),
    )
    put("pad_token_id", ids.get("pad"), sources_for(entry, ["config_pad_token_id"]))
    tmpl = entry.get("chat_template") or {}
    put(
        "chat_template_present",
        tmpl.get("present_in_tokenizer_config"),
        sources_for(entry, ["has_chat_template"]) or (tmpl.get("notes") or ""),
    )
    put(
        "chat_template_family",
        template_family(tmpl.get("family")),
        f"{tmpl.get('family')}; {sources_for(entry, ['chat_template_family'])}",
    )
    return {
        "repo_id": entry["repo_id"],
        "aliases": entry.get("aliases") or [],
        "facts": facts,
        "notes": entry.get("notes") or "",
        "sources": entry.get("sources") or [],
        "confirmed_null_fields": entry.get("confirmed_null_fields") or [],
    }


# Architecture dimensions from arch-dims.yaml, HF config.json names (= fact names).
DIMENSION_FIELDS = (
    "hidden_size",
    "intermediate_size",
    "num_hidden_layers",
    "num_attention_heads",
    "num_key_value_heads",
    "head_dim",
    "num_experts",
    "num_experts_per_tok",
    "moe_intermediate_size",
)
# Facts hub-metadata.yaml already has; arch-dims.yaml fills them only where that is null.
DIMENSION_FILLS = ("vocab_size", "tie_word_embeddings")


def citation(sources: list[str]) -> str:
    """The checkable part of each source (repo path @commit, or URL), without the commentary."""
    short = []
    for source in sources:
        text = source.split(" (", 1)[0].split(" - ", 1)[0].strip()
        text = re.sub(r"@([0-9a-f]{12})[0-9a-f]+", r"@\1", text)  # 12 hex digits identify it
        if text and text not in short:
            short.append(text)
    return "; ".join(short)


def add_dimensions(entry: dict, dims: dict | None) -> None:
    """Overlay one arch-dims.yaml record on a built catalog entry; a null stays absent."""
    if not dims:
        return
    detail = f"arch-dims.yaml: {citation(dims['sources'])}"
    facts = entry["facts"]
    for name in DIMENSION_FIELDS:
        if dims.get(name) is not None:
            facts[name] = {"value": dims[name], "detail": detail}
    for name in DIMENSION_FILLS:
        if dims.get(name) is not None and name not in facts:
            facts[name] = {"value": dims[name], "detail": detail}


def build_licences(items: list[dict]) -> dict[str, dict]:
    out = {}
    for item in items:
        hub_id = item["hub_id"]
        key = hub_id.split("license_name:")[-1].strip(" )") if "license_name" in hub_id else hub_id
        out[key] = {
            "hub_id": hub_id,
            "name": item.get("name"),
            "commercial_use": str(item.get("commercial_use")),
            "user_threshold": item.get("user_threshold"),
            "attribution": item.get("attribution"),
            "naming_requirement": item.get("naming_requirement"),
            "conditions": item.get("conditions") or [],
            "source": item.get("source"),
            "confidence": item.get("confidence"),
        }
    return out


def main() -> None:
    shared = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data"
    repos = yaml.safe_load((shared / "hub-metadata.yaml").read_text())
    licences = yaml.safe_load((shared / "licence-conditions.yaml").read_text())
    dims = {d["repo_id"]: d for d in yaml.safe_load((shared / "arch-dims.yaml").read_text())}
    built = [build_entry(e) for e in repos]
    for entry in built:
        add_dimensions(entry, dims.get(entry["repo_id"]))
    models = {
        "generated_from": "shared/data/hub-metadata.yaml, shared/data/arch-dims.yaml",
        "models": built,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "models.json").write_text(json.dumps(models, indent=1, ensure_ascii=False) + "\n")
    lic = {
        "generated_from": "shared/data/licence-conditions.yaml",
        "licences": build_licences(licences),
    }
    (OUT / "licences.json").write_text(json.dumps(lic, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {len(models['models'])} models and {len(lic['licences'])} licences to {OUT}")


if __name__ == "__main__":
    main()
