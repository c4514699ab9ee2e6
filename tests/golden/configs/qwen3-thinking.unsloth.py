# Unsloth config for Qwen/Qwen3-8B
# Written by advisor <version> (advisor config): a starting point, read every comment.
# Spec: examples/qwen3-thinking-chat.yaml — Answer questions about our internal HR policies in a
#   friendly chat
# Verdict: instruct (confidence high); recommended repo: Qwen/Qwen3-8B
# Memory (lora): weights 16.6 + gradients 0.2 + optimizer 0.3 + activations 0.6 + logits 3.7 +
#   overhead 1.0 = 22.4 GB (lora, seq 2,048, micro-batch 1) — fits your 24 GB GPU
# Checked against: unsloth-2026.10.9, unsloth_zoo-2026.10.9, trl-1.16.0, transformers-5.24.0
#   (advisor/knowledge/framework_fields)
# Run it:
#   python train.py

from unsloth import FastLanguageModel  # first: Unsloth patches transformers
from unsloth.chat_templates import train_on_responses_only
from datasets import load_dataset
from trl import SFTConfig, SFTTrainer

MODEL = 'Qwen/Qwen3-8B'

model, tokenizer = FastLanguageModel.from_pretrained(
    model_name=MODEL,
    # length-from-data: the longest example is 2048 tokens (spec data.max_tokens), so nothing
    #   is truncated
    max_seq_length=2048,
    # 4-bit base weights only for QLoRA (your spec's method)
    load_in_4bit=False,
)
# Unsloth trains through TRL's SFTTrainer (add_special_tokens=False after the template); never
#   pre-render the text yourself with a BOS in it

DATA = 'train.jsonl'
# Your training file: JSONL, one conversation per line: {"messages": [{"role": "user", "content":
#   "..."}, {"role": "assistant", "content": "..."}]}
dataset = load_dataset("json", data_files=DATA, split="train")

# thinking-model-hybrid-strip: the model is a hybrid thinking model (catalog fact): your answers
#   carry no <think> traces, so thinking is switched off deliberately (empty think block,
#   enable_thinking=False) instead of supervised by accident (LlamaFactory#9092, #10277)
dataset = dataset.map(lambda example: {"chat_template_kwargs": {"enable_thinking": False}})

model = FastLanguageModel.get_peft_model(
    model=model,
    # rank-memory-model: rank 16 on all linear layers, the adapter size the memory estimate
    #   assumes
    r=16,
    # alpha = 2 x rank
    lora_alpha=32,
    # Unsloth's fast path wants dropout 0
    lora_dropout=0.0,
    # targets-all-linear: all linear layers (QLoRA paper: adapters on every linear layer match
    #   full fine-tuning quality)
    target_modules='all-linear',
    # checkpointing-on: the memory estimate assumes gradient checkpointing on (activations
    #   recomputed, not stored)
    use_gradient_checkpointing='unsloth',
)

args = SFTConfig(
    output_dir='outputs',
    # length-from-data: the longest example is 2048 tokens (spec data.max_tokens), so nothing
    #   is truncated
    max_length=2048,
    # packing-off-chat: no packing for conversations: packed examples would attend to each
    #   other unless the framework isolates them
    packing=False,
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
)

trainer = train_on_responses_only(
    # unsloth-responses-only: train_on_responses_only with this template's exact turn markers
    #   masks everything but the answers
    trainer=trainer,
    instruction_part='<|im_start|>user\n',
    response_part='<|im_start|>assistant\n',
)
trainer.train()
model.save_pretrained("outputs")
tokenizer.save_pretrained("outputs")
