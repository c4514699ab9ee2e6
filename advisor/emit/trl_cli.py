"""TRL's command line: a YAML for `trl sft --config FILE` (ScriptArguments + SFTConfig +
ModelConfig + DatasetMixtureConfig). What the CLI cannot do (add tokens, per-token embedding
rows) is said in the file and returned as warnings."""

from __future__ import annotations

from advisor.emit.common import YamlLines, data_shape, header, launch, method, sharding_limit
from advisor.emit.plan import Plan
from advisor.emit.rules import chat_formats
from advisor.emit.script import sft_args


def emit(plan: Plan) -> tuple[str, list[str]]:
    limits: list[str] = []
    c = plan.choices
    if plan.value("sharding") == "none":
        run = ["trl sft --config config.yaml"]
    else:  # the script behind `trl sft`, one process per GPU
        run = [launch(plan, "-m trl.scripts.sft --config config.yaml")]
    if plan.value("sharding") in ("zero2", "zero3"):  # FSDP is an SFTConfig setting (sft_args)
        how = "write a DeepSpeed config for it and add deepspeed: ds_config.json to this file"
        limits.append(sharding_limit(plan, "TRL CLI", how) or "")
    doc = YamlLines(header(plan, "TRL CLI", run, "trl", limits=limits))
    doc.set("model_name_or_path", plan.repo, "the repo the verdict picked")
    doc.set("dtype", "bfloat16", "bf16 weights, as the memory estimate assumes")
    kind = method(plan)
    if kind != "full":
        doc.set("use_peft", True, f"your spec's method: {kind}")
        doc.set("lora_r", c["lora_rank"].value, c["lora_rank"].comment())
        doc.set("lora_alpha", 2 * c["lora_rank"].value, "alpha = 2 x rank")
        doc.set("lora_dropout", 0.05)
        targets = c["lora_targets"]
        modules = [targets.value] if isinstance(targets.value, str) else targets.value
        doc.set("lora_target_modules", modules, targets.comment())
        why = plan.whole_embeddings_why(
            "the TRL CLI has no trainable_token_indices: the rows are trained through whole "
            "embed_tokens / lm_head",
        )
        if why:
            doc.set("lora_modules_to_save", ["embed_tokens", "lm_head"], why)
        if kind == "qlora":
            doc.set("load_in_4bit", True, "QLoRA: frozen weights in 4-bit NF4")
            doc.set("bnb_4bit_quant_type", "nf4")
            doc.set("use_bnb_nested_quant", True, "quantised quantisation constants (QLoRA)")
            if plan.value("sharding") == "fsdp":
                why = "FSDP shards 4-bit weights stored in the dtype of the rest of the model"
                doc.set("bnb_4bit_quant_storage", "bfloat16", why)
    if c["new_tokens"].value == "add":
        doc.note(
            "WARNING: the TRL CLI cannot add tokens or resize the embeddings: "
            + c["new_tokens"].comment()
            + " — use the TRL script (--framework trl) instead"
        )
        limits.append("TRL CLI: new tokens cannot be added from the config (use --framework trl)")
    if plan.value("tied_caveat") == "warn":
        doc.note(c["tied_caveat"].comment() + " (the CLI has no ensure_weight_tying)")
    doc.blank()
    shape = data_shape(plan)
    if plan.value("trl_loss") == "prompt_completion":
        shape = (
            'JSONL, one example per line as prompt/completion: {"prompt": [{"role": "user", '
            '"content": "..."}], "completion": [{"role": "assistant", "content": "..."}]} '
            "(" + c["trl_loss"].comment() + ")"
        )
    if plan.value("thinking") == "strip":
        shape += ', each row with "chat_template_kwargs": {"enable_thinking": false} (' + (
            c["thinking"].comment() + ")"
        )
    doc.open("datasets", f"your training file: {shape}")
    doc.set("- path", "json", indent="  ")
    doc.set("data_files", "train.jsonl", indent="    ")
    doc.set("split", "train", indent="    ")
    if plan.value("template") != "none":
        doc.note(chat_formats()["bos_handling"]["trl"])
    doc.blank()
    for key, value, why in sft_args(plan, unsloth=False):
        doc.set(key, value, why)
    return doc.text(), limits
