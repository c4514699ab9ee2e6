"""Regenerate the embedded catalog from the sourced facts in ../shared/data.

    python tools/build_catalog.py [SHARED_DATA_DIR]

Writes advisor/catalog/models.json and advisor/catalog/licences.json. JSON, not YAML, because
the catalog is read on every offline run and json parses it several times faster.
Built from hub-metadata.yaml and code-models.yaml with the overlays of corrections.yaml,
languages-context.yaml and arch-dims.yaml (tools/catalog_overlays.py). Every fact's detail ends
with the citations a user can check; nothing is filled in from memory: a null in the source stays
absent here.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import catalog_overlays as overlays
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
    ("deepseek-coder", "deepseek-coder"),
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


NEEDLES = overlays.source_needles()


def sources_for(entry: dict, keys: list[str]) -> str:
    """The citations behind a field: a correction's own sources, else field_sources resolved."""
    cites: list[str] = []
    for key in keys:
        found = (entry.get("_cited") or {}).get(key)
        if found is None:
            ids = (entry.get("field_sources") or {}).get(key, [])
            found = overlays.resolve_ids(entry, ids, NEEDLES)
        cites += [c for c in found if c not in cites]
    return "; ".join(cites)


def with_cite(basis: str, cites: str) -> str:
    basis = basis.strip().rstrip(";")
    if not cites:
        return basis
    return f"{basis}; sources: {cites}" if basis else f"sources: {cites}"


def repo_page(entry: dict) -> str:
    return f"https://huggingface.co/{entry['repo_id']}"


def build_entry(entry: dict, overlay: dict[str, tuple] | None = None) -> dict:
    """One catalog entry; `overlay` holds extra facts as name -> (value, basis, citations)."""
    facts: dict[str, dict] = {}

    def put(name: str, value, detail: str = "") -> None:
        if value is None:
            return
        if "sources: " not in detail:  # say so rather than print a value with no citation
            where = entry.get("_file", "hub-metadata.yaml")
            detail = with_cite(detail, f"none named for this field in shared/data/{where}")
        facts[name] = {"value": value, "detail": detail}

    # The variant, family and sibling relation are what the repo's name and card say; the
    # relation's sources are the ones that name the repos (LLaMA-Factory, vendor READMEs).
    relation_cite = "; ".join(
        [repo_page(entry)]
        + [overlays.short_citation(s) for s in entry.get("sources") or [] if "Hub repo ids" in s]
    )
    variant, has_base = normalise_variant(entry["variant"])
    put("variant", variant, with_cite(f"catalog variant: {entry['variant']}", relation_cite))
    put("family", entry["family"], with_cite("", relation_cite))
    if has_base is not None:
        put("family_has_base", has_base, with_cite(entry["variant"], relation_cite))
    licence = entry["license"]
    if licence == "other" and entry.get("license_name"):
        licence = entry["license_name"]
    put(
        "license",
        licence,
        with_cite(
            f"{entry.get('license_basis') or ''} (confidence {entry.get('license_confidence')})",
            sources_for(entry, ["license"]),
        ),
    )
    put(
        "gated",
        entry.get("gated"),
        with_cite(
            f"{entry.get('gated_basis') or ''} (confidence {entry.get('gated_confidence')})",
            sources_for(entry, ["gated"]),
        ),
    )
    for field, (name, keys) in FIELD_MAP.items():
        value = entry.get(field)
        if field == "params_billions" and entry.get("params_total"):
            value = round(entry["params_total"] / 1e9, 6)
        cites = sources_for(entry, keys)
        if field in ("base_model", "instruct_sibling") and not cites:
            cites = relation_cite
        put(name, value, with_cite("", cites))
    rope = entry.get("rope_scaling")
    if isinstance(rope, dict):
        put(
            "rope_scaling",
            rope.get("rope_type") or rope.get("type"),
            with_cite("", sources_for(entry, ["rope_scaling"])),
        )
    tok = entry.get("tokenizer") or {}
    put("tokenizer_class", tok.get("class"), with_cite("", sources_for(entry, ["tokenizer_class"])))
    for key in ("bos_token", "eos_token", "pad_token"):
        put(key, tok.get(key), with_cite("", sources_for(entry, [key])))
    ids = entry.get("config_token_ids") or {}
    eos = ids.get("eos")
    put(
        "eos_token_id",
        [eos] if isinstance(eos, int) else eos,
        with_cite("", sources_for(entry, ["config_eos_token_id"])),
    )
    put(
        "pad_token_id",
        ids.get("pad"),
        with_cite("", sources_for(entry, ["config_pad_token_id"])),
    )
    tmpl = entry.get("chat_template") or {}
    put(
        "chat_template_present",
        tmpl.get("present_in_tokenizer_config"),
        with_cite(tmpl.get("notes") or "", sources_for(entry, ["has_chat_template"])),
    )
    put(
        "chat_template_family",
        template_family(tmpl.get("family")),
        with_cite(str(tmpl.get("family")), sources_for(entry, ["chat_template_family"])),
    )
    fim = entry.get("fim_tokens")
    if isinstance(fim, dict):
        tokens = [v["token"] for v in fim.values() if isinstance(v, dict) and v.get("token")]
        cites = sources_for(entry, ["fim_tokens"])
        put("code_model", True, with_cite("a code-model family", relation_cite))
        if tokens and fim.get("format"):
            put("fim_tokens", tokens, with_cite(str(fim.get("note") or ""), cites))
            put("fim_format", fim["format"], with_cite("", cites))
    for name, (value, basis, cites) in (overlay or {}).items():
        put(name, value, with_cite(basis, "; ".join(cites)))
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
    detail = dims.get("_detail") or with_cite("arch-dims.yaml", citation(dims["sources"]))
    facts = entry["facts"]
    for name in DIMENSION_FIELDS:
        if dims.get(name) is not None:
            facts[name] = {"value": dims[name], "detail": detail}
    for name in DIMENSION_FILLS:
        if dims.get(name) is not None and name not in facts:
            facts[name] = {"value": dims[name], "detail": detail}


def code_model_dims(entry: dict) -> dict | None:
    """code-models.yaml keeps its repos' dims under arch_extra (arch-dims.yaml has none of
    them), cited by field_sources: the same record add_dimensions reads, or None."""
    extra = entry.get("arch_extra") or {}
    if entry.get("_file") != "code-models.yaml" or not extra.get("hidden_size"):
        return None
    cites = sources_for(entry, ["hidden_size", "num_hidden_layers"])
    record = {name: extra.get(name) for name in DIMENSION_FIELDS}
    record["_detail"] = with_cite("code-models.yaml arch_extra", cites)
    return record


def overlay_facts(
    entry: dict, languages: dict[str, dict], dims: dict[str, dict], names: dict[str, str]
) -> dict[str, tuple]:
    """The facts the overlay files add to one hub-metadata entry."""
    extra: dict[str, tuple] = dict(entry.get("_extra") or {})
    item = languages.get(entry["repo_id"])
    if item:
        extra.update(overlays.language_facts(item, names))
        extra.update(overlays.context_facts(item))
    if entry["repo_id"] in dims:
        extra.update(overlays.attention_pattern_facts(dims[entry["repo_id"]]))
    variant_cite = [c for c in sources_for(entry, ["license"]).split("; ") if c]
    concepts = [
        overlays.short_citation(s)
        for s in entry.get("sources") or []
        if "concepts.md" in s or "DeepSeek-R1 README" in s
    ]
    extra.update(overlays.thinking_facts(entry, concepts or variant_cite))
    return extra


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

    def load(name: str):
        return yaml.safe_load((shared / name).read_text("utf-8"))

    code_models = load("code-models.yaml")
    for item in code_models:
        item["_file"] = "code-models.yaml"
    repos = load("hub-metadata.yaml") + code_models
    overlays.apply_corrections(repos, load("corrections.yaml"))
    languages = {item["repo_id"]: item for item in load("languages-context.yaml")}
    dims = {item["repo_id"]: item for item in load("arch-dims.yaml")}
    names = overlays.language_names()
    licences = load("licence-conditions.yaml")
    built = [build_entry(e, overlay_facts(e, languages, dims, names)) for e in repos]
    for entry, raw in zip(built, repos, strict=True):
        add_dimensions(entry, dims.get(entry["repo_id"]) or code_model_dims(raw))
    models = {
        "generated_from": (
            "shared/data/hub-metadata.yaml + code-models.yaml, with corrections.yaml, "
            "languages-context.yaml and arch-dims.yaml"
        ),
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
