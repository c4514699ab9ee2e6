"""The training settings a memory estimate depends on, each default said as an assumption.

Every constant here is a physical size (bytes per stored value) or a tool's documented default,
with where it comes from; nothing is fitted to measurements.
"""

from typing import Any, NamedTuple

METHODS = ("full", "lora", "qlora")

# Sequence length when neither data.max_tokens nor a measured --data file gives one:
# TRL's SFTConfig max_length default (trl/trainer/sft_config.py: max_length = 1024).
DEFAULT_SEQ_LEN = 1024
# PEFT's LoraConfig r default is 8; 16 is the rank TRL / PEFT examples use for SFT. Said as an
# assumption whenever it is used.
DEFAULT_LORA_RANK = 16
DEFAULT_LORA_TARGETS = "all-linear"  # PEFT's target_modules="all-linear" (QLoRA paper §4)


class Optimizer(NamedTuple):
    """What an optimizer keeps per trainable parameter."""

    moment_bytes: int  # optimizer state per trainable parameter
    fp32_master: bool  # keeps an fp32 master copy of 16-bit trainable weights
    about: str


OPTIMIZERS: dict[str, Optimizer] = {
    "adamw": Optimizer(
        8,
        True,
        "mixed-precision AdamW: fp32 m and v + fp32 master weights (ZeRO, arXiv:1910.02054 §3.1)",
    ),
    "adamw-bf16": Optimizer(4, False, "pure bf16 AdamW: m and v in bf16, no fp32 master"),
    "adamw-8bit": Optimizer(
        2, False, "8-bit AdamW (bitsandbytes; Dettmers et al. 2021, arXiv:2110.02861): 1 byte each"
    ),
    "paged-adamw-8bit": Optimizer(
        2, False, "paged 8-bit AdamW (bitsandbytes): 8-bit states, paged to CPU only under pressure"
    ),
    "paged-adamw": Optimizer(8, True, "paged 32-bit AdamW: fp32 m and v + fp32 master weights"),
    "sgd": Optimizer(4, True, "SGD with momentum: one fp32 state + fp32 master weights"),
    "adafactor": Optimizer(
        0, False, "Adafactor without momentum: factored second moment (rows + columns, ~0)"
    ),
}

# Which projections each --lora-targets word names (HF Llama-style module names).
ATTENTION = ("q_proj", "k_proj", "v_proj", "o_proj")
MLP = ("gate_proj", "up_proj", "down_proj")
TARGET_WORDS = {
    "all-linear": ATTENTION + MLP,
    "attention": ATTENTION,
    "mlp": MLP,
}
TARGET_ALIASES = {name.removesuffix("_proj"): name for name in ATTENTION + MLP}  # q: q_proj

# Per-GPU memory under each multi-GPU strategy: which model states are split across GPUs.
SHARDING = {
    "ddp": "DDP: every GPU holds all weights, gradients and optimizer states",
    "zero2": "ZeRO-2: gradients and optimizer states split across GPUs, weights replicated",
    "zero3": "ZeRO-3: weights, gradients and optimizer states split across GPUs",
    "fsdp": "FSDP full shard: weights, gradients and optimizer states split across GPUs",
}
LOSSES = {
    "standard": "logits in bf16, upcast to fp32 for the loss, and their gradients",
    "chunked": "chunked cross-entropy: 16-bit logits and gradient, fp32 only per chunk",
    "fused": "fused linear cross-entropy (e.g. Liger): logits never materialised",
}
QUANT_BITS = {
    # QLoRA (Dettmers et al. 2023, arXiv:2305.14314 §3): NF4 with a 32-bit absmax per block of
    # 64 weights = 4 + 32/64 bits; double quantisation stores the absmax in 8 bits with one
    # fp32 constant per 256 blocks = 4 + 8/64 + 32/(64*256) bits.
    "nf4-dq": 4 + 8 / 64 + 32 / (64 * 256),
    "nf4": 4 + 32 / 64,
}


class TrainingSetup(NamedTuple):
    """The settings a memory estimate depends on, each defaulted when not given."""

    method: str = "lora"
    seq_len: int = DEFAULT_SEQ_LEN
    batch_size: int = 1
    gradient_checkpointing: bool = True
    optimizer: str = "adamw"
    lora_rank: int = DEFAULT_LORA_RANK
    lora_targets: tuple[str, ...] = TARGET_WORDS[DEFAULT_LORA_TARGETS]
    modules_to_save: tuple[str, ...] = ()  # embed_tokens / lm_head trained in full
    gpus: int = 1
    sharding: str = "ddp"
    loss: str = "standard"
    quant: str = "nf4-dq"
    assumptions: tuple[str, ...] = ()  # what was assumed for the settings left out

    def but(self, **changes: Any) -> "TrainingSetup":
        """The same setup with some settings changed (the fit search makes hundreds a run)."""
        return self._replace(**changes)

    def settings(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "method": self.method,
            "seq_len": self.seq_len,
            "batch_size": self.batch_size,
            "gradient_checkpointing": self.gradient_checkpointing,
            "optimizer": self.optimizer,
            "gpus": self.gpus,
            "sharding": self.sharding if self.gpus > 1 else None,
            "loss": self.loss,
        }
        if self.method != "full":
            out["lora_rank"] = self.lora_rank
            out["lora_targets"] = list(self.lora_targets)
            out["modules_to_save"] = list(self.modules_to_save)
        if self.method == "qlora":
            out["quant"] = self.quant
        return out


def parse_targets(text: str) -> tuple[str, ...]:
    """'all-linear' | 'attention' | 'mlp' | a comma list like 'q,v' or 'q_proj,v_proj'."""
    word = text.strip().lower()
    if word in TARGET_WORDS:
        return TARGET_WORDS[word]
    # Every part is checked, so an empty text or part ('', 'q,,v') is an unknown target; a
    # repeated one counts once (dict keys keep the first-seen order).
    names: dict[str, None] = {}
    for part in (p.strip() for p in word.split(",")):
        name = TARGET_ALIASES.get(part, part)
        if name not in ATTENTION + MLP:
            raise ValueError(
                f"unknown LoRA target {part!r}: use all-linear, attention, mlp or a comma list "
                "of q,k,v,o,gate,up,down"
            )
        names[name] = None
    return tuple(names)


def from_task(task: dict[str, Any], method: str | None = None) -> TrainingSetup:
    """The setup a spec (as task facts) asks for; each value it does not give is an assumption."""
    notes: list[str] = []
    method = method or task.get("training.method") or "lora"
    seq = task.get("data.max_tokens")
    if seq:
        where = task.get("data.max_tokens_from") or "data.max_tokens"
        notes.append(f"sequence length {seq:,} tokens ({where})")
    else:
        seq = DEFAULT_SEQ_LEN
        notes.append(
            f"sequence length {seq:,} tokens: assumed (TRL SFTConfig max_length default); "
            "set data.max_tokens or pass --data"
        )

    def given(name: str, text: str, default: Any = None) -> Any:
        """training.<name> as the task gives it, else TrainingSetup's default (or `default`),
        said in `text` as assumed."""
        value = task.get(f"training.{name}")
        if value is None:
            notes.append(text)
            return TrainingSetup._field_defaults[name] if default is None else default
        return value

    batch = given("batch_size", "micro-batch 1 per GPU: assumed")
    ckpt = given(
        "gradient_checkpointing", "gradient checkpointing on: assumed (TRL SFTConfig default)"
    )
    optimizer = given("optimizer", "mixed-precision AdamW: assumed")
    gpus = given("gpus", "one GPU: assumed")
    rank, targets = DEFAULT_LORA_RANK, TARGET_WORDS[DEFAULT_LORA_TARGETS]
    if method != "full":
        rank = given("lora_rank", f"LoRA rank {DEFAULT_LORA_RANK}: assumed")
        raw = given(
            "lora_targets", "LoRA on all linear layers: assumed (PEFT target_modules='all-linear')"
        )
        targets = parse_targets(raw) if isinstance(raw, str) else tuple(raw)
    # Whole matrices a config trains beside the adapters (new tokens: emit/plan.py decides it).
    saved = tuple(task.get("training.modules_to_save") or ()) if method != "full" else ()
    sharding = "ddp"
    if gpus > 1:
        sharding = given("sharding", "FSDP full shard across the GPUs: assumed", "fsdp")
    return TrainingSetup(
        method=method,
        seq_len=int(seq),
        batch_size=int(batch),
        gradient_checkpointing=bool(ckpt),
        optimizer=optimizer,
        lora_rank=int(rank),
        lora_targets=targets,
        modules_to_save=saved,
        gpus=int(gpus),
        sharding=sharding,
        assumptions=tuple(notes),
    )
