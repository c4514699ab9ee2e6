# TRL config for Qwen/Qwen2.5-7B-Instruct
# Written by advisor <version> (advisor config): a starting point, read every comment.
# Spec: examples/support-tickets.yaml — Classify customer support tickets into 12 categories
# Verdict: instruct (confidence high); recommended repo: Qwen/Qwen2.5-7B-Instruct
# Memory (lora): weights 15.4 + gradients 0.2 + optimizer 0.3 + activations 0.2 + logits 1.9 +
#   overhead 1.0 = 19 GB (lora, seq 1,024, micro-batch 1) — fits your 24 GB GPU
# Checked against: trl-1.16.0, transformers-5.24.0, peft-0.21.2
#   (advisor/knowledge/framework_fields)
# Run it:
#   accelerate launch train.py   (or: python train.py on one GPU)

import torch
from datasets import load_dataset
from peft import LoraConfig
from transformers import AutoModelForCausalLM, AutoTokenizer
from trl import SFTConfig, SFTTrainer

MODEL = 'Qwen/Qwen2.5-7B-Instruct'
tokenizer = AutoTokenizer.from_pretrained(MODEL)
# SFTTrainer renders the chat template and tokenizes with add_special_tokens=False
#   (trl/trainer/sft_trainer.py), so the tokenizer adds no second BOS

DATA = 'train.jsonl'
# Your training file: JSONL, one conversation per line: {"messages": [{"role": "user", "content":
#   "..."}, {"role": "assistant", "content": "..."}]}
dataset = load_dataset("json", data_files=DATA, split="train")

model = AutoModelForCausalLM.from_pretrained(MODEL, dtype=torch.bfloat16)

peft_config = LoraConfig(
    # rank-memory-model: rank 16 on all linear layers, the adapter size the memory estimate
    #   assumes
    r=16,
    # alpha = 2 x rank
    lora_alpha=32,
    lora_dropout=0.05,
    # targets-all-linear: all linear layers (QLoRA paper: adapters on every linear layer match
    #   full fine-tuning quality)
    target_modules='all-linear',
    task_type='CAUSAL_LM',
)

args = SFTConfig(
    output_dir='outputs',
    # length-from-data: the longest example is 1024 tokens (spec data.max_tokens), so nothing
    #   is truncated
    max_length=1024,
    # packing-off-chat: no packing for conversations: packed examples would attend to each
    #   other unless the framework isolates them
    packing=False,
    # trl-training-template: TRL ships a training template (qwen2_5_training) byte-identical
    #   to this model's, with {% generation %} markers; SFTTrainer swaps it in for
    #   assistant_only_loss
    assistant_only_loss=True,
    # eos-template-end-of-turn: EOS is the template's end-of-turn token <|im_end|>: generation
    #   stops where a turn ends
    eos_token='<|im_end|>',
    # pad-model-not-eos: the tokenizer's pad token <|endoftext|> is not EOS, so padding never
    #   masks EOS
    pad_token='<|endoftext|>',
    # batch-memory-model: batch size 1 per device, as the memory estimate assumes; gradient
    #   accumulation gives an effective batch of 16
    per_device_train_batch_size=1,
    # effective batch 16 per device at batch size 1
    gradient_accumulation_steps=16,
    # checkpointing-on: the memory estimate assumes gradient checkpointing on (activations
    #   recomputed, not stored)
    gradient_checkpointing=True,
    # lr-adapter: LoRA / QLoRA adapters start from zero: 2e-4 is the QLoRA paper's rate for
    #   7B-13B models
    learning_rate=0.0002,
    # one pass to start: check the eval loss before more
    num_train_epochs=1,
    # bf16 weights and compute, as the memory estimate assumes
    bf16=True,
    logging_steps=10,
)

trainer = SFTTrainer(
    model=model,
    args=args,
    train_dataset=dataset,
    processing_class=tokenizer,
    peft_config=peft_config,
)
trainer.train()
trainer.save_model()
