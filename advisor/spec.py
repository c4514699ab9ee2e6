"""The task spec (v1): what the user fine-tunes for. Its field names are a public contract."""

import re
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from advisor import regexcache
from advisor.errors import UserError, did_you_mean
from advisor.repoid import is_hub_repo_id, repo_of_page_url
from advisor.yamlfile import LocatedYaml, decode_text, dotted_path, load_yaml, read_text

SPEC_VERSION = 1


class TaskKind(str, Enum):
    classification = "classification"
    extraction = "extraction"
    rewriting = "rewriting"
    summarization = "summarization"
    qa = "qa"
    chat = "chat"
    generation = "generation"
    code_completion = "code-completion"
    text_completion = "text-completion"
    scoring = "scoring"
    continued_pretraining = "continued-pretraining"
    alignment = "alignment"
    other = "other"


class DataFormat(str, Enum):
    chat = "chat"
    instruction = "instruction"
    raw_text = "raw-text"
    completion = "completion"
    preference = "preference"


class Method(str, Enum):
    full = "full"
    lora = "lora"
    qlora = "qlora"


class Domain(str, Enum):
    """Domains where instruct models' refusals and hedging get in the way."""

    security = "security"
    medical = "medical"
    legal = "legal"
    violent_fiction = "violent-fiction"
    adult_fiction = "adult-fiction"
    drugs = "drugs"


class Style(str, Enum):
    no_disclaimers = "no-disclaimers"
    persona = "persona"
    terse = "terse"
    raw_distribution = "raw-distribution"


class _Strict(BaseModel):
    # defer_build: the sections' validators are built once, inside TaskSpec's, at its first use,
    # not each on its own at import (~1 ms of a cold run).
    model_config = ConfigDict(
        extra="forbid", use_enum_values=True, validate_default=True, defer_build=True
    )


class Task(_Strict):
    description: str = Field(min_length=1, max_length=10_000, description="What the model must do")
    kind: TaskKind | None = Field(None, description="Inferred from the description when absent")
    domains: list[Domain] | None = Field(
        None, description="Sensitive domains (inferred from the description when absent)"
    )
    style: list[Style] | None = Field(
        None, description="Style needs that fight instruct habits (inferred when absent)"
    )

    @field_validator("description")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class Data(_Strict):
    format: DataFormat | None = None
    examples: int | None = Field(None, ge=0, le=10**12, description="Number of training examples")
    max_tokens: int | None = Field(
        None, ge=1, le=100_000_000, description="Longest example, in tokens"
    )


class Optimizer(str, Enum):
    adamw = "adamw"
    adamw_bf16 = "adamw-bf16"
    adamw_8bit = "adamw-8bit"
    paged_adamw_8bit = "paged-adamw-8bit"
    paged_adamw = "paged-adamw"
    sgd = "sgd"
    adafactor = "adafactor"


class Sharding(str, Enum):
    ddp = "ddp"
    zero2 = "zero2"
    zero3 = "zero3"
    fsdp = "fsdp"


_GB = regexcache.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:gb|gib|g)?\s*$", re.IGNORECASE)


class Training(_Strict):
    # Absent is not "no": a spec silent on these leaves them unknown, never False.
    own_alignment: bool | None = Field(
        None, description="You will run your own full post-training (SFT + preference tuning)"
    )
    custom_chat_format: bool | None = Field(
        None, description="You want your own chat format / persona"
    )
    method: Method = Method.lora
    # .nan / .inf are floats to YAML; refuse them by name rather than by a range message.
    gpu_memory_gb: float | None = Field(
        None, gt=0, le=100_000, allow_inf_nan=False, description='GB, e.g. 24 or "24GB"'
    )
    # Settings of the memory estimate (advisor/memory); each one left out is an assumption.
    batch_size: int | None = Field(None, ge=1, le=4096, description="Micro-batch per GPU")
    gradient_checkpointing: bool | None = Field(None, description="Default on (TRL SFTConfig)")
    optimizer: Optimizer | None = None
    lora_rank: int | None = Field(None, ge=1, le=4096)
    lora_targets: str | None = Field(
        None, description="all-linear, attention, mlp or a comma list like q,v"
    )
    gpus: int | None = Field(None, ge=1, le=4096)
    sharding: Sharding | None = Field(None, description="With several GPUs (default fsdp)")

    @field_validator("lora_targets")
    @classmethod
    def _targets(cls, value: str | None) -> str | None:
        if value is not None:
            from advisor.memory.settings import parse_targets

            parse_targets(value)
        return value

    @field_validator("gpu_memory_gb", mode="before")
    @classmethod
    def _gigabytes(cls, value: Any) -> Any:
        """'24', '24GB', '24 GB', '80 GiB' -> 24.0 ...; anything else is left for the type check."""
        match = _GB.match(value) if isinstance(value, str) else None
        return float(match.group(1)) if match else value


_SIZE = regexcache.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kKmMbBtT]?)\s*$")
_SCALE = {"": 1, "k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12}


def parse_param_count(value: Any) -> int:
    """'8B', '500M', '1.5b' or an integer -> a parameter count."""
    if isinstance(value, bool):
        raise ValueError("expected a size like 8B or 500M, not a boolean")
    if isinstance(value, (int, float)):
        count = float(value)
    elif isinstance(value, str):
        match = _SIZE.match(value)
        if not match:
            raise ValueError(f"expected a size like 8B, 500M or an integer, got {value!r}")
        count = float(match.group(1)) * _SCALE[match.group(2).lower()]
    else:
        raise ValueError("expected a size like 8B, 500M or an integer")
    if not 0 < count <= 1e14:
        raise ValueError(f"size out of range: {value!r}")
    return int(count)


class Constraints(_Strict):
    commercial_use: bool | None = None
    licenses: list[str] | None = Field(None, description="Allowlist of Hub licence ids")
    max_params: int | None = Field(None, description='"8B", "500M" or an integer')
    min_context: int | None = Field(None, ge=1, le=100_000_000)
    languages: list[str] | None = Field(None, description="ISO 639-1 codes, e.g. en, de")

    @field_validator("max_params", mode="before")
    @classmethod
    def _size(cls, value: Any) -> Any:
        return None if value is None else parse_param_count(value)

    @field_validator("licenses", "languages")
    @classmethod
    def _lower(cls, values: list[str] | None) -> list[str] | None:
        return None if values is None else [v.strip().lower() for v in values]

    @field_validator("languages")
    @classmethod
    def _codes(cls, values: list[str] | None) -> list[str] | None:
        for code in values or []:
            if not re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]{2,8})?", code):
                raise ValueError(f"'{code}' is not a language code (use ISO 639-1, e.g. en, de)")
        return values


def check_repo_id(value: str) -> str:
    """A Hub repo id 'org/name' or a local folder path (the local source checks it exists);
    a pasted model page address is read as its repo id."""
    if not isinstance(value, str):
        raise ValueError("expected a repo id like Qwen/Qwen2.5-7B")
    if is_hub_repo_id(value) or value.startswith(("./", "../", "/", "~")):
        return value  # a Hub id, or a local model folder (the local source validates it)
    pasted = repo_of_page_url(value)
    if pasted is not None:
        return pasted
    shown = value if len(value) <= 80 else value[:77] + "..."  # keep the error one short line
    repo, _, revision = value.partition("@")
    if revision and is_hub_repo_id(repo):
        raise ValueError(
            f"{shown!r}: a revision is not taken (advisor reads the repo's main branch) — "
            f"write {repo}"
        )
    raise ValueError(
        f"{shown!r} is not a Hub repo id (org/name, letters, digits, '.', '_', '-') "
        "nor a local path (start it with ./ or /)"
    )


RepoId = Annotated[str, AfterValidator(check_repo_id)]


class Models(_Strict):
    candidates: list[RepoId] | None = Field(None, max_length=500)

    @field_validator("candidates")
    @classmethod
    def _unique(cls, values: list[str] | None) -> list[str] | None:
        return None if values is None else list(dict.fromkeys(values))


class TaskSpec(_Strict):
    """A fine-tuning task, as a YAML spec, a questionnaire or free text describes it."""

    task: Task
    data: Data = Field(default_factory=Data)
    training: Training = Field(default_factory=Training)
    constraints: Constraints = Field(default_factory=Constraints)
    models: Models = Field(default_factory=Models)

    def to_yaml_dict(self) -> dict[str, Any]:
        """The spec as a user would write it: defaults and unknowns left out."""
        return self.model_dump(mode="json", exclude_none=True, exclude_defaults=True) | {
            "task": self.task.model_dump(mode="json", exclude_none=True)
        }


def json_schema() -> dict[str, Any]:
    schema = TaskSpec.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"advisor task spec v{SPEC_VERSION}"
    return schema


def load_spec(source: str) -> TaskSpec:
    """Read a spec from a path, or from stdin when source is '-'."""
    if source == "-":
        text = decode_text(sys.stdin.buffer.read(), "<stdin>", what="spec")
        return parse_spec(text, "<stdin>")
    return parse_spec(read_text(source, what="spec"), str(Path(source)))


def from_inputs(
    spec_path: str | None, task: str | None, overrides: dict[str, Any] | None = None
) -> TaskSpec:
    """The spec a command line describes: a SPEC file or --task, with flags such as
    --examples given as dotted fields ({"data.examples": 800}); a flag left out (None) keeps
    the spec's value."""
    if spec_path and task:
        raise UserError("give a SPEC file or --task, not both")
    if not spec_path and not task:
        raise UserError(
            "nothing to recommend for", hint="give a SPEC file, '-' for stdin, or --task \"...\""
        )
    spec = load_spec(spec_path) if spec_path else None
    data = spec.model_dump(exclude_unset=True) if spec else {"task": {"description": task}}
    for dotted, value in (overrides or {}).items():
        if value is not None:
            section, name = dotted.split(".")
            data.setdefault(section, {})[name] = value
    try:
        return TaskSpec.model_validate(data)
    except ValidationError as exc:
        raise spec_error(exc, None) from None


def parse_spec(text: str, origin: str) -> TaskSpec:
    located = load_yaml(text, origin)
    if located.data is None:
        raise UserError(f"{origin}: empty spec", hint="a spec needs at least task.description")
    if not isinstance(located.data, dict):
        raise UserError(
            f"{origin}:1: a spec is a mapping (task:, data:, ...), not a "
            f"{type(located.data).__name__}",
            hint="see `advisor schema`",
        )
    try:
        return TaskSpec.model_validate(located.data)
    except ValidationError as exc:
        raise spec_error(exc, located) from None


def spec_error(exc: ValidationError, located: LocatedYaml | None) -> UserError:
    """The first validation problem as one line: file:line: field: what — what to do."""
    # An unknown key explains a "missing" one next to it (a typo), so report it first.
    error = min(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
    path = tuple(error["loc"])
    kind = error["type"]
    where = located.where(path) if located else dotted_path(path)
    if kind == "extra_forbidden":
        allowed = _fields_at(path[:-1])
        hint = did_you_mean(str(path[-1]), allowed) or f"allowed here: {', '.join(allowed)}"
        return UserError(f"{where}: unknown key", hint=hint)
    if kind == "missing":
        return UserError(f"{where}: required field missing", hint="add it (see `advisor schema`)")
    message = error["msg"].removeprefix("Value error, ")
    hint = None
    if kind == "enum":
        given = error.get("input")
        choices = error.get("ctx", {}).get("expected", "")
        close = did_you_mean(
            str(given), [c.strip(" '") for c in choices.replace(" or ", ",").split(",")]
        )
        hint = close or f"expected {choices}"
        message = f"'{given}' is not allowed"
    elif "input" in error and kind.endswith(("_type", "_parsing")):
        message = f"{message} (got {error['input']!r:.60})"
    return UserError(f"{where}: {message}", hint=hint)


def _fields_at(path: tuple) -> list[str]:
    """The keys a spec section allows (none below a list or a value)."""
    model: Any = TaskSpec
    for part in path:
        field = model.model_fields.get(part)
        annotation = field.annotation if field else None
        # A section's type, or its model inside `Data | None`
        types = getattr(annotation, "__args__", (annotation,))
        model = next((a for a in types if hasattr(a, "model_fields")), None)
        if model is None:
            return []
    return list(model.model_fields)
