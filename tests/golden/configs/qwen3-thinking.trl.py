# TRL config for Qwen/Qwen3-8B
# Written by advisor <version> (advisor config): a starting point, read every comment.
# Spec: examples/qwen3-thinking-chat.yaml — Answer questions about our internal HR policies in a
#   friendly chat
# Verdict: instruct (confidence high); recommended repo: Qwen/Qwen3-8B
# Memory (lora): weights 16.6 + gradients 0.2 + optimizer 0.3 + activations 0.6 + logits 3.7 +
#   overhead 1.0 = 22.4 GB (lora, seq 2,048, micro-batch 1) — fits your 24 GB GPU
# Checked against: trl-1.16.0, transformers-5.24.0, peft-0.21.2
#   (advisor/knowledge/framework_fields)
# Run it:
#   accelerate launch train.py   (or: python train.py on one GPU)

import torch
from datasets import load_dataset
from peft import LoraConfig
from transformers import AutoModelForCausalLM, AutoTokenizer
from trl import SFTConfig, SFTTrainer

MODEL = 'Qwen/Qwen3-8B'
tokenizer = AutoTokenizer.from_pretrained(MODEL)
# SFTTrainer renders the chat template and tokenizes with add_special_tokens=False
#   (trl/trainer/sft_trainer.py), so the tokenizer adds no second BOS

DATA = 'train.jsonl'
# Your training file: JSONL, one conversation per line: {"messages": [{"role": "user", "content":
#   "..."}, {"role": "assistant", "content": "..."}]}
dataset = load_dataset("json", data_files=DATA, split="train")

# thinking-model-hybrid-strip: the model is a hybrid thinking model (catalog fact): your answers
#   carry no <think> traces, so thinking is switched off deliberately (empty think block,
#   enable_thinking=False) instead of supervised by accident (LlamaFactory#9092, #10277)
dataset = dataset.map(lambda example: {"chat_template_kwargs": {"enable_thinking": False}})

# trl-prompt-completion: no {% generation %} markers and no byte-identical TRL training template
#   known, so assistant_only_loss would mask everything (QwenLM/Qwen3#1522, trl#4879): the data
#   goes in as prompt/completion and completion_only_loss masks the prompt
def to_prompt_completion(example):
    messages = example["messages"]
    return {"prompt": messages[:-1], "completion": messages[-1:]}

dataset = dataset.map(to_prompt_completion, remove_columns=["messages"])

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
    # length-from-data: the longest example is 2048 tokens (spec data.max_tokens), so nothing
    #   is truncated
    max_length=2048,
    # packing-off-chat: no packing for conversations: packed examples would attend to each
    #   other unless the framework isolates them
    packing=False,
    # prompt/completion data: loss on the completion only
    completion_only_loss=True,
    # eos-template-end-of-turn: EOS is the template's end-of-turn token <|im_end|>: generation
    #   stops where a turn ends
    eos_token='<|im_end|>',
    # pad-family: pad-not-eos: <|endoftext|> pads instead of EOS (a Qwen3-4B
    #   tokenizer_config.json copy: akougkas/warpio-cli warpio-docs/ai-
    #   docs/model_cards/qwen3:4b.md @8dde6d21); padding with EOS would mask it and the model
    #   would never stop
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
