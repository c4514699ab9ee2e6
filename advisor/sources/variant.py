"""Is a repo a pretrained base or a post-trained instruct/chat model? Evidence, not a guess.

Each signal casts a weighted vote with a sentence a person can check. The verdict is the side
with more weight; confidence says how clear it was. Known traps (from shared/data): Qwen3
post-trained repos have no -Instruct suffix; Gemma base is -pt (Gemma 3) or no suffix (Gemma 2);
Phi has no base release; a base repo may ship a chat template; fine-tunes and quantisations of
an instruct model are instruct.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from advisor.facts import SOURCE_DERIVED, ModelFacts
from advisor.facts.derive import TEMPLATE_END_OF_TURN

STRONG, MEDIUM, WEAK = 3, 2, 1

_INSTRUCT_SUFFIX = re.compile(
    r"(?:^|[-_.])(instruct|it|chat|sft|dpo|rlhf|orpo|grpo)(?:$|[-_.])", re.IGNORECASE
)
_BASE_SUFFIX = re.compile(r"(?:^|[-_.])(base|pt)(?:$|[-_.])", re.IGNORECASE)
# Quantisation and format markers say nothing about the variant; strip them before looking.
_PACKAGING = re.compile(
    r"[-_.](gguf|gptq|awq|bnb|int4|int8|4bit|8bit|fp8|mlx|exl2|onnx|q\d(_k(_[msl])?)?)\b.*$",
    re.IGNORECASE,
)
_QWEN3_POSTTRAINED = re.compile(r"^qwen3-\d+(\.\d+)?b(-a\d+b)?$", re.IGNORECASE)
_GEMMA2_BASE = re.compile(r"^gemma-2-\d+b$", re.IGNORECASE)
_PHI = re.compile(r"^phi-?\d", re.IGNORECASE)
_R1_DISTILL = re.compile(r"^deepseek-r1-distill-", re.IGNORECASE)


@dataclass(frozen=True)
class Vote:
    verdict: str  # base | instruct
    weight: int
    evidence: str


def name_votes(repo_id: str) -> list[Vote]:
    """Votes from the repo name alone (works offline, for any repo id)."""
    org, _, name = repo_id.rpartition("/")
    stem = _PACKAGING.sub("", name)
    if _QWEN3_POSTTRAINED.match(stem):
        return [
            Vote(
                "instruct",
                STRONG,
                f"name '{name}': Qwen3 post-trained repos carry no "
                "suffix (their base ends in -Base)",
            )
        ]
    if _GEMMA2_BASE.match(stem):
        return [
            Vote(
                "base",
                STRONG,
                f"name '{name}': Gemma 2 base repos have no suffix (instruct ends in -it)",
            )
        ]
    if _R1_DISTILL.match(stem):
        return [
            Vote(
                "instruct",
                MEDIUM,
                f"name '{name}': DeepSeek-R1 distills are reasoning-tuned (post-trained)",
            )
        ]
    if match := _INSTRUCT_SUFFIX.search(stem):
        return [Vote("instruct", STRONG, f"name '{name}' has the -{match.group(1)} suffix")]
    if match := _BASE_SUFFIX.search(stem):
        return [Vote("base", STRONG, f"name '{name}' has the -{match.group(1)} suffix")]
    if org.lower() == "microsoft" and _PHI.match(stem):
        return [
            Vote(
                "instruct",
                STRONG,
                f"name '{name}': the Phi family has no base release; its repos are post-trained",
            )
        ]
    return []


def name_verdict(repo_id: str) -> str | None:
    """The variant the name alone implies, or None."""
    votes = name_votes(repo_id)
    return votes[0].verdict if votes else None


def _template_votes(facts: ModelFacts, eos_ids: dict[str, int] | None) -> list[Vote]:
    present = facts.get("chat_template_present")
    if present is False:
        return [Vote("base", WEAK, "no chat template ships with the tokenizer")]
    if present is not True:
        return []
    family = facts.get("chat_template_family")
    eot = TEMPLATE_END_OF_TURN.get(family) if isinstance(family, str) else None
    eos = facts.get("eos_token")
    if eot is None or eot == "eos" or not isinstance(eos, str):
        return [
            Vote(
                "instruct",
                WEAK,
                "a chat template ships with the tokenizer (base repos sometimes ship one too)",
            )
        ]
    if eot == eos:
        return [
            Vote(
                "instruct",
                MEDIUM,
                f"the chat template ends turns with {eot}, which is "
                "the EOS token: the model was trained to stop at the end of a turn",
            )
        ]
    config_eos = facts.get("eos_token_id")
    if eos_ids and eot in eos_ids and isinstance(config_eos, list) and eos_ids[eot] in config_eos:
        return [
            Vote(
                "instruct",
                MEDIUM,
                f"the chat template's turn end {eot} is among the config's eos_token_id",
            )
        ]
    if isinstance(config_eos, list) and len(config_eos) > 1 and not eos_ids:
        return []  # several stop ids and no id map: the turn end may well be one of them
    return [
        Vote(
            "base",
            MEDIUM,
            f"a chat template ships ({family}), but its turn end {eot} "
            f"is not the EOS token {eos}: a template for convenience on a base model",
        )
    ]


def classify(
    facts: ModelFacts,
    *,
    tags: Iterable[str] = (),
    base_relation: str | None = None,
    base_variant: str | None = None,
    relation_checked: bool = False,
    special_token_ids: dict[str, int] | None = None,
) -> ModelFacts:
    """Set facts.variant, variant_evidence and variant_confidence from every signal.

    base_relation: how this repo derives from facts.base_model (finetune, quantized, adapter,
    merge) when the Hub says so; base_variant: the variant of that base, when known.
    relation_checked: the Hub was asked and named no parent model.
    """
    votes = name_votes(facts.repo_id)
    base = facts.get("base_model")
    if isinstance(base, str):
        parent = base_variant or name_verdict(base)
        how = {"quantized": "a quantisation", "adapter": "an adapter", "merge": "a merge"}.get(
            base_relation or "", "a fine-tune"
        )
        if parent == "instruct":
            votes.append(Vote("instruct", STRONG + 1, f"{how} of {base}, an instruct model"))
        elif parent == "base" and base_relation == "quantized":
            votes.append(Vote("base", STRONG + 1, f"a quantisation of {base}, a base model"))
        elif parent == "base":
            votes.append(
                Vote("instruct", MEDIUM, f"{how} of the base model {base} (post-trained from it)")
            )
    elif relation_checked:
        votes.append(
            Vote(
                "base",
                WEAK,
                "the Hub names no parent model (an original "
                "pretraining release, or an undeclared one)",
            )
        )
    tag_set = {t.lower() for t in tags}
    if "conversational" in tag_set:
        votes.append(Vote("instruct", WEAK, "Hub tag 'conversational'"))
    votes.extend(_template_votes(facts, special_token_ids))
    return _decide(facts, votes)


def _decide(facts: ModelFacts, votes: list[Vote]) -> ModelFacts:
    weight = {"base": 0, "instruct": 0}
    for vote in votes:
        weight[vote.verdict] += vote.weight
    facts.variant_evidence = [f"{v.verdict} (+{v.weight}): {v.evidence}" for v in votes]
    winner = max(weight, key=lambda k: weight[k])
    loser = "base" if winner == "instruct" else "instruct"
    won, lost = weight[winner], weight[loser]
    if won == lost:
        facts.variant_confidence = "unknown"
        facts.set(
            "variant",
            "unknown",
            SOURCE_DERIVED,
            "no evidence" if not votes else f"evidence is split ({won} vs {lost})",
        )
        return facts
    if won >= STRONG and lost == 0:
        confidence = "high"
    elif won - lost >= MEDIUM:
        confidence = "medium"
    else:
        confidence = "low"
    facts.variant_confidence = confidence
    facts.set(
        "variant",
        winner,
        SOURCE_DERIVED,
        f"{won} vs {lost} by weight of evidence ({confidence} confidence)",
    )
    return facts
