"""LLaMA-Factory: its YAML config (llamafactory-cli train), plus the dataset_info.json entry."""

from __future__ import annotations

import json

from advisor.emit.common import (
    YamlLines,
    accumulation,
    data_shape,
    gpus,
    header,
    method,
    set_deepspeed,
    sharding_limit,
    special_tokens,
)
from advisor.emit.fields import framework_data
from advisor.emit.plan import Plan
from advisor.emit.rules import chat_formats, deepspeed_files


def _template(plan: Plan) -> tuple[str | None, str]:
    c = plan.choices
    if c["template"].value == "none":
        return None, ""
    if c["thinking"].value == "strip" and plan.fact("fmt.llamafactory_nothink"):
        return plan.fact("fmt.llamafactory_nothink"), c["thinking"].comment()
    name = plan.fact("fmt.llamafactory")
    if c["template"].value == "model":
        return name, c["template"].comment()
    return name, (
        c["chat_format"].comment() + "; LLaMA-Factory's maintainers advise `default` for a base "
        "model (no new tokens, the tokenizer's EOS) — this config keeps the format every "
        "framework here trains, so the run is the same whichever you use"
    )


def _dataset_entry(plan: Plan) -> dict:
    if plan.value("objective") != "chat":
        return {"file_name": "train.jsonl", "columns": {"prompt": "text"}}
    tags = ("role", "content", "user", "assistant", "system")  # sharegpt's <tag>_tag names
    return {
        "file_name": "train.jsonl",
        "formatting": "sharegpt",
        "columns": {"messages": "messages"},
        "tags": {f"{tag}_tag": tag for tag in tags},
    }


def emit(plan: Plan) -> tuple[str, list[str]]:
    limits: list[str] = []
    c = plan.choices
    sharding = plan.value("sharding")
    # one process per GPU: LLaMA-Factory's torchrun switch (its DeepSpeed examples)
    torchrun = "FORCE_TORCHRUN=1 " if sharding != "none" else ""
    run = [f"{torchrun}llamafactory-cli train config.yaml"]
    if sharding == "fsdp":
        how = (
            "launch through LLaMA-Factory's FSDP recipe, accelerate launch --config_file "
            "examples/accelerate/fsdp_config.yaml src/train.py config.yaml (num_processes "
            f"{gpus(plan)}), or use deepspeed: {deepspeed_files()['llamafactory']['zero3']}"
        )
        limits.append(sharding_limit(plan, "LLaMA-Factory", how) or "")
    doc = YamlLines(header(plan, "LLaMA-Factory", run, "llamafactory", limits=limits))
    set_deepspeed(doc, plan, "llamafactory", "LLaMA-Factory")
    doc.set("model_name_or_path", plan.repo, "the repo the verdict picked")
    stage = "sft" if c["objective"].value == "chat" else "pt"
    doc.set("stage", stage, c["objective"].comment())
    doc.set("do_train", True)
    kind = method(plan)
    doc.set("finetuning_type", "full" if kind == "full" else "lora", f"your spec's method: {kind}")
    if kind == "qlora":
        doc.set("quantization_bit", 4, "QLoRA: frozen weights in 4-bit")
        doc.set("quantization_method", "bnb")
    if kind != "full":
        doc.set("lora_rank", c["lora_rank"].value, c["lora_rank"].comment())
        doc.set("lora_alpha", 2 * c["lora_rank"].value, "alpha = 2 x rank")
        doc.set("lora_dropout", 0.05)
        targets = c["lora_targets"]
        modules = "all" if targets.value == "all-linear" else ",".join(targets.value)
        doc.set("lora_target", modules, targets.comment())
        why = plan.whole_embeddings_why(
            "LLaMA-Factory has no per-token training: whole embed_tokens / lm_head"
        )
        if why:
            doc.set("additional_target", "embed_tokens,lm_head", why)
    if c["new_tokens"].value == "add":
        doc.set("add_special_tokens", ",".join(special_tokens(plan)), c["new_tokens"].comment())
        doc.set("resize_vocab", True, "new tokens need new embedding rows")
    doc.blank()
    entry = _dataset_entry(plan)
    doc.note(f"your training file: {data_shape(plan)}")
    doc.note('add this entry to dataset_dir/dataset_info.json: "my_data": ' + json.dumps(entry))
    doc.set("dataset", "my_data")
    doc.set("dataset_dir", "data")
    name, why = _template(plan)
    if name:
        info = framework_data("llamafactory")["templates"]["values"].get(name, {})
        stops = info.get("stop_words") or []
        if info.get("replace_eos") and stops:
            why += f"; this template makes {stops[0]} the EOS (replace_eos)"
        doc.set("template", name, why)
        doc.note(chat_formats()["bos_handling"]["llamafactory"])
    elif stage == "sft":
        doc.note(
            "WARNING: no registered LLaMA-Factory template is known for this model: set "
            "`template:` to the one matching its chat format (llamafactory/data/template.py)"
        )
        limits.append("LLaMA-Factory: no known template name for this model's chat format")
    if c["thinking"].value == "strip":
        doc.set("enable_thinking", False, c["thinking"].comment())
    doc.set("cutoff_len", c["max_length"].value, c["max_length"].comment())
    doc.set("packing", c["packing"].value, c["packing"].comment())
    if stage == "sft":
        doc.set("train_on_prompt", False, c["loss_mask"].comment())
    pad = c["pad"]
    if pad.known and c["objective"].value == "chat" and plan.fact("model.pad_token") != pad.value:
        doc.note(
            f"LLaMA-Factory has no config key for the pad token: set pad_token to {pad.value} "
            "in the model's tokenizer_config.json if it pads with EOS (" + pad.comment() + ")"
        )
        limits.append(f"LLaMA-Factory: the pad token ({pad.value}) cannot be set in the config")
    doc.blank()
    doc.set("output_dir", "outputs")
    doc.set("per_device_train_batch_size", c["batch_size"].value, c["batch_size"].comment())
    doc.set("gradient_accumulation_steps", *accumulation(plan))
    checkpointing = c["gradient_checkpointing"]
    doc.set("disable_gradient_checkpointing", not checkpointing.value, checkpointing.comment())
    doc.set("learning_rate", c["learning_rate"].value, c["learning_rate"].comment())
    doc.set("num_train_epochs", 1.0, "one pass to start: check the eval loss before more")
    doc.set("bf16", True, "bf16 weights and compute, as the memory estimate assumes")
    doc.set("logging_steps", 10)
    return doc.text(), limits
