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
            "No candidate's facts could be read (each candidate's error says why): run once "
            "online or with --source hub, or name catalogued repos (`advisor catalog list`)."
            if rec.no_facts_read()
            else _fits_with_a_change(rec)
            or "No candidate passed every fit check: relax a constraint (licence, size, GPU) or "
            "name other candidates with models.candidates."
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
                "lm_head (PEFT: modules_to_save=['embed_tokens', 'lm_head'])."
            )
    if facts.get("pad_equals_eos") is True:
        steps.append("Set a pad token distinct from EOS (or mask padding by attention mask).")
    if facts.get("gated") is True:
        steps.append(
            f"Accept the licence on https://huggingface.co/{repo} and set HF_TOKEN before the run."
        )
    steps.append(memory_step(chosen.memory, rec.spec.training.method))
    return steps


def _fits_with_a_change(rec: Recommendation) -> str | None:
    """The best candidate of the verdict's variant that fails on memory alone, and the change
    that makes it fit: one flag away is a better next step than "relax a constraint"."""
    method, gpu = rec.spec.training.method, rec.spec.training.gpu_memory_gb
    for cand in rec.candidates:
        entry = (cand.memory or {}).get(method)
        failed = [check.rule_id for check in cand.checks if check.state == "fail"]
        if cand.facts.get("variant") != rec.variant or failed != ["memory-over-budget"]:
            continue
        if entry is None or not entry.fix:
            continue
        qlora = (cand.memory or {}).get("qlora")
        fits = method != "qlora" and qlora is not None and qlora.fits_gpu
        flag = " — for QLoRA pass --method qlora (a spec: training.method: qlora)" if fits else ""
        return (
            f"{cand.repo_id} fails only on memory ({method} ~{entry.need_gb:g} GB, your GPU "
            f"{gpu:g} GB): it {entry.fix}{flag}."
        )
    return None


def memory_step(memory: dict | None, method: str) -> str:
    """The chosen method's memory in one line: the number, its settings and any fix."""
    entry = (memory or {}).get(method)
    if entry is None:
        return f"Memory for {method}: unknown (no architecture dimensions or parameter count)."
    s = entry.settings
    text = (
        f"Memory for {method}: about {entry.need_gb:g} GB per GPU at {s['seq_len']:,} tokens, "
        f"micro-batch {s['batch_size']}"
        + (", gradient checkpointing" if s["gradient_checkpointing"] else "")
        + (" (a lower bound: dimensions unknown)" if entry.partial else "")
        + " (see the memory section for each term)."
    )
    if entry.fix:
        text += f" It does not fit your GPU; {entry.fix}."
    return text
