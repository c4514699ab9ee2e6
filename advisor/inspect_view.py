"""`advisor inspect`: one model's facts as text or JSON. Renders only; computes nothing."""

from __future__ import annotations

import json

from advisor.facts import MODEL_FIELDS, ModelFacts
from advisor.report.labels import terminal
from advisor.values import value

# Display order: what a practitioner looks at first, a group of related facts a row.
_GROUPS = (
    ("variant", "family"),
    ("license", "license_commercial", "license_name_full", "license_conditions", "gated"),
    ("params_b", "quantized", "context_length", "sliding_window", "rope_scaling"),
    ("vocab_size", "tokenizer_class", "bos_token", "eos_token", "pad_token"),
    ("eos_token_id", "pad_token_id", "pad_equals_eos"),
    ("chat_template_present", "chat_template_family"),
    ("chat_template_eot", "template_eot_matches_eos"),
    ("base_model", "instruct_sibling", "family_has_base", "languages"),
    ("model_type", "architectures", "tie_word_embeddings"),
)
_ORDER = [name for group in _GROUPS for name in group]


def _note(facts: ModelFacts, name: str) -> str:
    """Why a value matters, for the facts whose meaning is not obvious from the number."""
    if name == "context_length" and facts.has("sliding_window"):
        return f"  [sliding window {facts.get('sliding_window')} tokens on some layers]"
    if name == "context_length" and facts.has("rope_scaling"):
        return f"  [rope scaling: {facts.get('rope_scaling')}]"
    if name == "params_b":
        return "  (billions)"
    return ""


def render_text(facts: ModelFacts) -> str:
    lines = [facts.repo_id]
    if facts.error:
        lines.append(f"  error ({facts.error_kind}): {facts.error}")
    if facts.has("variant"):
        lines.append(f"  variant: {facts.get('variant')} ({facts.variant_confidence} confidence)")
        lines.extend(f"    - {item}" for item in facts.variant_evidence)
    names = [n for n in _ORDER if n != "variant"] + [n for n in MODEL_FIELDS if n not in _ORDER]
    width = max(len(n) for n in names)
    for name in names:
        if name == "repo_id" or not facts.has(name):
            continue
        fact = facts.facts[name]
        origin = fact.source + (f": {fact.detail}" if fact.detail else "")
        lines.append(f"  {name:<{width}}  {value(fact.value)}{_note(facts, name)}  <- {origin}")
    if missing := [n for n in facts.missing() if n != "repo_id"]:
        lines.append(f"  unknown: {', '.join(missing)}")
    # Metadata is untrusted: no control character reaches the terminal raw.
    return "\n".join(terminal(line) for line in lines) + "\n"


def render_json(facts: ModelFacts) -> str:
    return json.dumps(facts.to_json(), indent=2, ensure_ascii=False) + "\n"


def render(facts: ModelFacts, fmt: str = "text") -> str:
    return render_json(facts) if fmt == "json" else render_text(facts)
