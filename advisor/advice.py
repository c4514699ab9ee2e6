"""Concrete next steps for the chosen repo, derived once so every renderer shows the same list."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from advisor.recommendation import Recommendation


def next_steps(rec: Recommendation) -> list[str]:
    steps: list[str] = []
    chosen = rec.candidate(rec.repo)
    if rec.close_call:
        steps.append(
            "The call is close: fine-tune both variants on the same data and hyper-parameters, "
            "and compare them on a held-out set that includes the prompts the alignment tax "
            "affects."
        )
    if chosen is None:
        steps.append(
            "No candidate passed every fit check: relax a constraint (licence, size, GPU) or name "
            "other candidates with models.candidates."
        )
        return steps
    facts = chosen.facts
    repo = chosen.repo_id
    if rec.variant == "instruct":
        family = facts.get("chat_template_family")
        template = f"its own {family} chat template" if family else "its own chat template"
        steps.append(
            f"Format every training example with {template} via "
            f"tokenizer.apply_chat_template, and serve {repo} with the same template."
        )
        eot = facts.get("chat_template_eot")
        if eot:
            steps.append(
                f"Check that each assistant turn ends with {eot} and that generation stops on it."
            )
    else:
        if "continued-pretraining" in rec.exceptions:
            steps.append(
                f"Run continued pretraining on {repo} with plain next-token loss over packed raw "
                "text; then instruction-tune the result (or apply the instruct model's delta)."
            )
        if "completion-task" in rec.exceptions:
            steps.append(
                f"Train {repo} on raw continuations (keep FIM special tokens if the tokenizer has "
                "them); no chat template, no system prompt."
            )
        if "own-alignment" in rec.exceptions or rec.spec.data.format in ("chat", "instruction"):
            steps.append(
                "Choose your chat template, end every assistant turn with the EOS you stop on, and "
                "if you add special tokens resize the embeddings and train embed_tokens and "
                "lm_head "
                "(PEFT: modules_to_save=['embed_tokens', 'lm_head'])."
            )
    if facts.get("pad_equals_eos") is True:
        steps.append("Set a pad token distinct from EOS (or mask padding by attention mask).")
    if facts.get("gated") is True:
        steps.append(
            f"Accept the licence on https://huggingface.co/{repo} and set HF_TOKEN before the run."
        )
    method = rec.spec.training.method
    need = chosen.memory[method].need_gb if chosen.memory and method in chosen.memory else None
    steps.append(
        f"Memory for {method}: about {'unknown' if need is None else f'{need:g}'} GB at batch "
        "size 1 (see the candidate table for the formula); budget more for long sequences."
    )
    return steps
