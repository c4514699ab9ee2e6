"""The overlays on hub-metadata.yaml that tools/build_catalog.py applies, one job per function.

- citations: hub-metadata's short source ids -> the citation text a user can check
- corrections.yaml: `correction` and `fill` replace values (with their own sources);
  `annotation` and `confirmation` become extra facts beside the value
- languages-context.yaml: declared / claimed languages, documented long context
- arch-dims.yaml: the sliding-window layer pattern (the dims themselves are the memory model's)
Nothing is filled in from memory: a null in a source stays absent.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent


# --- citations -----------------------------------------------------------------------------


def source_needles() -> dict[str, str]:
    return yaml.safe_load((HERE / "source_ids.yaml").read_text("utf-8"))


def short_citation(text: str) -> str:
    """A citation a person can follow: the 'owner/repo path @commit' or URL part of a source."""
    text = re.sub(r"^\[[a-z0-9_]+\]\s*", "", text.strip())
    head = text.split(" (", 1)[0].strip()
    if head.startswith("http") or "@" in head or head.startswith("DERIVED"):
        return head if len(head) <= 200 else head[:197] + "..."
    return text if len(text) <= 200 else text[:197] + "..."


def resolve_ids(entry: dict, ids: list[str], needles: dict[str, str]) -> list[str]:
    """Source ids of one hub-metadata entry -> its citation strings (each id must resolve)."""
    out: list[str] = []
    sources = entry.get("sources") or []
    for source_id in ids:
        if source_id == "derived":
            out.append("derived from the config dimensions (a computation, not a published figure)")
            continue
        bracketed = [s for s in sources if s.startswith(f"[{source_id}]")]
        needle = needles.get(source_id)
        hits = bracketed or [s for s in sources if needle and needle in s]
        if len(hits) != 1:
            raise SystemExit(
                f"{entry['repo_id']}: source id {source_id!r} matches {len(hits)} citations; "
                "extend tools/source_ids.yaml"
            )
        cite = short_citation(hits[0])
        if cite not in out:
            out.append(cite)
    return out


# --- corrections.yaml ----------------------------------------------------------------------


# repo_id cells that name several repos: "A, b, c" (same org) or "A and B" or "A / -7B / -14B".
def expand_repo_ids(cell: str) -> list[str]:
    cell = cell.strip()
    if " and " in cell:
        return [part.strip() for part in cell.split(" and ")]
    if ", " in cell:
        first, *rest = [part.strip() for part in cell.split(", ")]
        org = first.split("/")[0]
        return [first] + [r if "/" in r else f"{org}/{r}" for r in rest]
    if " / " in cell:
        first, *rest = [part.strip() for part in cell.split(" / ")]
        stem = re.sub(r"-[^-]+$", "", first)
        return [first] + [stem + r for r in rest]
    return [cell]


# corrections.yaml field names -> (path in a hub-metadata entry); MoE / layer dims are skipped
# here because arch-dims.yaml carries them (read by the memory model).
FIELD_PATHS = {
    "config_token_ids.eos": ("config_token_ids", "eos"),
    "config_token_ids.pad": ("config_token_ids", "pad"),
    "config_token_ids": ("config_token_ids",),
    "tokenizer.eos_token": ("tokenizer", "eos_token"),
    "tokenizer.pad_token": ("tokenizer", "pad_token"),
    "tokenizer.bos_token": ("tokenizer", "bos_token"),
    "chat_template.present_in_tokenizer_config": ("chat_template", "present_in_tokenizer_config"),
    "gated": ("gated",),
    "params_billions": ("params_billions",),
    "max_position_embeddings": ("max_position_embeddings",),
    "vocab_size": ("vocab_size",),
    "tie_word_embeddings": ("tie_word_embeddings",),
    "sliding_window": ("sliding_window",),
    "rope_scaling": ("rope_scaling",),
}
# The field_sources key that backs each path (so the correction's sources replace the old ones).
SOURCE_KEYS = {
    ("config_token_ids", "eos"): "config_eos_token_id",
    ("config_token_ids", "pad"): "config_pad_token_id",
    ("config_token_ids",): "config_eos_token_id",
    ("tokenizer", "eos_token"): "eos_token",
    ("tokenizer", "pad_token"): "pad_token",
    ("tokenizer", "bos_token"): "bos_token",
    ("chat_template", "present_in_tokenizer_config"): "has_chat_template",
}


def _set_path(entry: dict, path: tuple[str, ...], value: Any) -> None:
    target = entry
    for key in path[:-1]:
        if not isinstance(target.get(key), dict):
            target[key] = {}
        target = target[key]
    target[path[-1]] = value


def _cite_correction(item: dict) -> list[str]:
    return [short_citation(s) for s in item.get("sources") or []]


def apply_corrections(repos: list[dict], items: list[dict]) -> None:
    """Apply `correction` and `fill`; record annotations / confirmations as `_extra` facts."""
    by_id = {e["repo_id"]: e for e in repos}
    for item in items:
        kind = item["kind"]
        for repo_id in expand_repo_ids(item["repo_id"]):
            entry = by_id.get(repo_id)
            if entry is None:
                raise SystemExit(f"corrections.yaml: {repo_id!r} is not in hub-metadata.yaml")
            cites = _cite_correction(item)
            overrides = entry.setdefault("_cited", {})
            if kind in ("correction", "fill"):
                _apply_value(entry, item, cites, overrides)
            elif kind == "annotation" and item["field"] == "license":
                value = item["correct_value"]
                upstream = str(value.get("upstream_license", "")).split(" ")[0]
                extra = entry.setdefault("_extra", {})
                extra["license_upstream"] = (upstream, f"{item['note'][:300]}", cites)
                if value.get("upstream_model"):
                    model = str(value["upstream_model"]).split(" ")[0]
                    extra["license_upstream_model"] = (model, "", cites)
                elif entry.get("base_model"):
                    # One annotation covers repos with different bases (the Qwen distills:
                    # Qwen2.5-Math-1.5B / -7B, Qwen2.5-14B / -32B): the licence flows from
                    # each repo's own base_model, as hub-metadata.yaml sources it.
                    extra["license_upstream_model"] = (
                        entry["base_model"],
                        "the repo's base_model (hub-metadata.yaml)",
                        cites,
                    )
            elif kind == "basis_upgrade" and item["field"].startswith("license_basis"):
                entry["license_basis"] = str(item["correct_value"])
                overrides["license"] = cites
            elif kind == "confirmation" and "family_has_base" in item["field"]:
                entry.setdefault("_extra", {})["family_has_base"] = (
                    False,
                    str(item["correct_value"]),
                    cites,
                )


def _apply_value(entry: dict, item: dict, cites: list[str], overrides: dict) -> None:
    names = [n.strip() for n in item["field"].split(" / ")]
    value = item["correct_value"]
    if len(names) == 1 and names[0] in FIELD_PATHS and not isinstance(value, dict):
        values = {names[0]: value}
    elif isinstance(value, dict):
        values = value
    else:
        values = {names[0]: value}
    for name, val in values.items():
        path = FIELD_PATHS.get(name)
        if path is None or val is None:
            continue  # dims (arch-dims.yaml) and descriptive-only values
        if name == "rope_scaling" and isinstance(val, str):
            val = {"rope_type": val.split("-")[0].split(" ")[0]}
        if name == "config_token_ids" and isinstance(val, dict):
            for key, sub in val.items():
                if sub is not None:
                    _set_path(entry, ("config_token_ids", key), sub)
                    overrides[SOURCE_KEYS.get(("config_token_ids", key), f"config_{key}")] = cites
            continue
        _set_path(entry, path, val)
        overrides[SOURCE_KEYS.get(path, name)] = cites
        if name == "params_billions":
            entry["params_total"] = None  # the corrected figure replaces the exact count


# --- languages-context.yaml ----------------------------------------------------------------


def language_names() -> dict[str, str]:
    """ISO 639-1 code -> English name (advisor/knowledge/languages.yaml)."""
    path = HERE.parent / "advisor" / "knowledge" / "languages.yaml"
    return yaml.safe_load(path.read_text("utf-8"))["languages"]


def claimed_codes(prose: str, names: dict[str, str]) -> list[str]:
    """Languages a card's prose names, as codes, in the order it names them."""
    found: list[tuple[int, str]] = []
    for code, name in names.items():
        match = re.search(rf"\b{re.escape(name)}\b", prose)
        if match:
            found.append((match.start(), code))
    return [code for _, code in sorted(found)]


def language_facts(item: dict, names: dict[str, str]) -> dict[str, tuple[Any, str, list[str]]]:
    """(value, basis, citations) for languages / languages_claimed / languages_claim."""
    card = item.get("card_languages") or {}
    cites = [short_citation(s) for s in card.get("sources") or []]
    out: dict[str, tuple[Any, str, list[str]]] = {}
    declared = card.get("frontmatter_language")
    if isinstance(declared, list):
        basis = f"card front matter ({card.get('frontmatter_basis')})"
        codes = [c for c in declared if c in names]
        if len(codes) == len(declared):  # ['multilingual'] is not a list of languages
            out["languages"] = (codes, basis, cites)
    prose = card.get("prose_claim")
    if isinstance(prose, str):
        out["languages_claim"] = (prose, "card prose", cites)
        codes = claimed_codes(prose, names)
        if codes:
            out["languages_claimed"] = (codes, f"named in the card's prose: {prose[:160]}", cites)
    return out


def context_facts(item: dict) -> dict[str, tuple[Any, str, list[str]]]:
    """Native context and the documented longer context with its rope_scaling snippet."""
    long = item.get("long_context")
    if not long:
        return {}
    cites = [short_citation(s) for s in long.get("sources") or []]
    out: dict[str, tuple[Any, str, list[str]]] = {}
    note = str(long.get("note") or "")
    documented = long.get("documented_context_tokens")
    method = str(long.get("method") or "")
    native = long.get("native_context_tokens")
    if documented and method.startswith("none needed"):
        native = documented  # trained at that length: no scaling to add
    if native:
        out["context_native"] = (native, f"model card: trained/native context. {note[:200]}", cites)
    elif long.get("config_max_position_embeddings") and not documented:
        out["context_native"] = (
            long["config_max_position_embeddings"],
            f"config.json; the card documents no longer context. {note[:200]}",
            cites,
        )
    elif long.get("config_max_position_embeddings"):
        out["context_native"] = (long["config_max_position_embeddings"], "config.json", cites)
    if documented and not method.startswith("none needed"):
        out["context_documented"] = (documented, f"model card, with {method}. {note[:200]}", cites)
        out["context_scaling"] = (method, note[:300], cites)
        snippet = long.get("rope_scaling_snippet")
        if isinstance(snippet, dict):
            text = json.dumps(snippet, ensure_ascii=False)
            out["context_scaling_snippet"] = (text, "add to config.json (model card)", cites)
    return out


# --- arch-dims.yaml: which layers attend globally ------------------------------------------


def attention_pattern_facts(item: dict) -> dict[str, tuple[Any, str, list[str]]]:
    pattern = item.get("layer_types_pattern")
    if not isinstance(pattern, str):
        return {}
    cites = [short_citation(s) for s in item.get("sources") or []][:2]
    every = None
    if pattern.startswith("alternating"):
        every = 2
    elif match := re.search(r"sliding_window_pattern (\d+)", pattern):
        every = int(match.group(1))
    if every is None:
        raise SystemExit(f"{item['repo_id']}: unrecognised layer pattern {pattern!r}")
    return {"global_attention_every": (every, f"layer pattern: {pattern}", cites)}


# --- reasoning models ----------------------------------------------------------------------

QWEN3_TEMPLATE = (
    "shared/data/templates/Qwen__Qwen3-0.6B/chat_template.jinja (verbatim Hub template via "
    "GitHub Raudbjorn/ggml-llama.cpp @e121edc4 models/templates/Qwen-Qwen3-0.6B.jinja)"
)


def thinking_facts(entry: dict, cite: list[str]) -> dict[str, tuple[Any, str, list[str]]]:
    """Hybrid thinking (Qwen3 without suffix) and always-reasoning distills, from the variant."""
    variant = str(entry.get("variant") or "").lower()
    if variant.startswith("hybrid-thinking"):
        return {
            "thinking": ("hybrid", entry["variant"], cite),
            "thinking_notes": (
                "thinks in <think>...</think> by default; enable_thinking=False in "
                "apply_chat_template gives an empty think block; the template drops <think> "
                "content from earlier assistant turns in the history",
                "chat template",
                cite + [QWEN3_TEMPLATE],
            ),
        }
    if "reasoning" in variant and "distill" in variant:
        return {
            "thinking": ("always", entry["variant"], cite),
            "thinking_notes": (
                "reasoning-distilled: answers start with a <think> trace; there is no switch "
                "to turn it off",
                "model card",
                cite,
            ),
        }
    return {}


def deep_copy(items: list[dict]) -> list[dict]:
    return copy.deepcopy(items)
