# TRL config for allenai/OLMo-2-1124-7B
# Written by advisor <version> (advisor config): a starting point, read every comment.
# Spec: examples/own-alignment.yaml — Our own SFT + DPO post-training for a support assistant with
#   our own chat format and pe...
# Verdict: base (confidence high); recommended repo: allenai/OLMo-2-1124-7B
# Exceptions that chose base: own-alignment
# Memory (full): weights 14.6 + gradients 14.6 + optimizer 87.6 + activations 1.1 + logits 4.9 +
#   overhead 1.0 = 123.8 GB (full, seq 4,096, micro-batch 1) — fits your 640 GB GPU
# Checked against: trl-1.16.0, transformers-5.24.0, peft-0.21.2
#   (advisor/knowledge/framework_fields)
# Run it:
#   accelerate launch train.py   (or: python train.py on one GPU)
# WARNING: no pad token known that differs from EOS: add one, or EOS is masked

import torch
from datasets import load_dataset
from transformers import AutoModelForCausalLM, AutoTokenizer
from trl import SFTConfig, SFTTrainer

MODEL = 'allenai/OLMo-2-1124-7B'
tokenizer = AutoTokenizer.from_pretrained(MODEL)
# SFTTrainer renders the chat template and tokenizes with add_special_tokens=False
#   (trl/trainer/sft_trainer.py), so the tokenizer adds no second BOS

DATA = 'train.jsonl'
# Your training file: JSONL, one conversation per line: {"messages": [{"role": "user", "content":
#   "..."}, {"role": "assistant", "content": "..."}]}
dataset = load_dataset("json", data_files=DATA, split="train")

# trl-prompt-completion: no {% generation %} markers and no byte-identical TRL training template
#   known, so assistant_only_loss would mask everything (QwenLM/Qwen3#1522, trl#4879): the data
#   goes in as prompt/completion and completion_only_loss masks the prompt
def to_prompt_completion(example):
    messages = example["messages"]
    return {"prompt": messages[:-1], "completion": messages[-1:]}

dataset = dataset.map(to_prompt_completion, remove_columns=["messages"])

model = AutoModelForCausalLM.from_pretrained(MODEL, dtype=torch.bfloat16)
model.resize_token_embeddings(len(tokenizer))

args = SFTConfig(
    output_dir='outputs',
    # length-from-data: the longest example is 4096 tokens (spec data.max_tokens), so nothing
    #   is truncated
    max_length=4096,
    # packing-off-chat: no packing for conversations: packed examples would attend to each
    #   other unless the framework isolates them
    packing=False,
    # prompt/completion data: loss on the completion only
    completion_only_loss=True,
    # format-own-chatml: ChatML as the starting point for your own format (replace it with
    #   yours; its tokens are listed as new) — write your format's Jinja template to
    #   chat_template.jinja
    chat_template_path='chat_template.jinja',
    # eos-template-end-of-turn: EOS is the template's end-of-turn token <|im_end|>: generation
    #   stops where a turn ends
    eos_token='<|im_end|>',
    # batch-memory-model: batch size 1 per device, as the memory estimate assumes; gradient
    #   accumulation gives an effective batch of 16
    per_device_train_batch_size=1,
    # effective batch 16 per device at batch size 1
    gradient_accumulation_steps=16,
    # checkpointing-on: the memory estimate assumes gradient checkpointing on (activations
    #   recomputed, not stored)
    gradient_checkpointing=True,
    # lr-full: full fine-tuning moves every weight: a small learning rate (1e-5) keeps what
    #   pretraining learned
    learning_rate=1e-05,
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
)
trainer.train()
trainer.save_model()
