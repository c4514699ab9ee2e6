"""`advisor ask`: the questions that change the answer, turned into the TaskSpec a YAML file gives.

The questions are data (QUESTIONS below): each names the spec field it fills, how its answer is
read, its default, the rules whose explanations `?` shows, and a `when` predicate over the
answers so far. A question whose answer cannot change the result is not asked:

- task.kind: only when the description was not understood (understand() found no kind).
- data file: skipped when `--data PATH` was given; a file fills data.format / examples /
  max_tokens, and only the ones it could not measure are asked.
- own post-training / own chat format: not for continuation tasks (code or text completion,
  scoring, continued pretraining, raw-text or completion data) - they never use chat turns, and
  their exception already carries the base verdict; not when the data has fewer examples than the
  own-alignment rule needs (it cannot fire); not when the description already says so.
  The chat-format question only follows a "yes" to own post-training (the rule needs both).
- licence allowlist: only for commercial use (where procurement allowlists live).
- method: only with a GPU memory budget (without one, no memory check and no size filter uses it).

Every answer is validated by putting it into the spec draft and validating the whole TaskSpec,
so the rules for a typed answer are exactly those for a YAML file.
"""

from __future__ import annotations

import itertools
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from advisor.candidates import DEFAULT_FAMILIES, DEFAULT_MAX_PARAMS_B, default_candidates
from advisor.engine.loader import Rule
from advisor.engine.registry import fact_type
from advisor.errors import UserError, did_you_mean
from advisor.facts import DatasetProfile
from advisor.prompter import Prompter
from advisor.spec import TaskSpec, spec_error
from advisor.understand import Understanding, understand

# From rules/own-alignment.yaml (data.examples gte 1000): below it the rule cannot fire, so the
# own post-training questions cannot change the answer. A test keeps the two in step.
OWN_ALIGNMENT_MIN_EXAMPLES = 1000
MAX_PIPED_TRIES = 5  # answers to one question that cannot be used, when no person is typing
NO_CHAT_KINDS = frozenset(
    {"code-completion", "text-completion", "scoring", "continued-pretraining"}
)
NO_CHAT_FORMATS = frozenset({"raw-text", "completion"})
CHAT_FORMAT_SIGNALS = frozenset({"own-chat-format", "persona"})
# The format most datasets for a kind come in; a default the user confirms, never a guess kept.
FORMAT_FOR_KIND = {
    "code-completion": "completion",
    "text-completion": "completion",
    "scoring": "raw-text",
    "continued-pretraining": "raw-text",
    "chat": "chat",
    "alignment": "chat",
}
NONE_WORDS = {"none", "no", "-", "nothing"}
SPEC_SECTIONS = ("task", "data", "training", "constraints", "models")
_YES_NO = {"y": True, "yes": True, "true": True, "n": False, "no": False, "false": False}


class AnswerError(ValueError):
    """An answer that cannot be read; its message is the reason shown before asking again."""


@dataclass
class State:
    """The answers so far: a spec draft (nested like the YAML), what the text says, a data file."""

    draft: dict[str, dict[str, Any]] = field(
        default_factory=lambda: {section: {} for section in SPEC_SECTIONS}
    )
    understanding: Understanding | None = None
    dataset: DatasetProfile | None = None  # from --data, or the file question

    def get(self, path: str) -> Any:
        section, name = path.split(".")
        return self.draft[section].get(name)

    def kind(self) -> str | None:
        return self.get("task.kind") or (self.understanding.kind if self.understanding else None)

    def signals(self) -> list[str]:
        return self.understanding.signals if self.understanding else []

    def spec(self) -> TaskSpec:
        return TaskSpec.model_validate({k: v for k, v in self.draft.items() if v})


@dataclass(frozen=True)
class Question:
    """One question of `advisor ask`: the spec field it fills and how it is read."""

    id: str  # the spec field it fills ("data.file" fills three)
    prompt: str
    # How the answer is read: text | choice | choices | yesno | count | gigabytes | file | models
    answer: str
    why: str  # one line: what the answer changes
    rules: tuple[str, ...] = ()  # rules whose explanations `?` shows
    choices: tuple[str, ...] = ()
    default: Callable[[State], Any] = lambda state: None
    when: Callable[[State], bool] = lambda state: True
    default_text: str | None = None  # how to show the default when not obvious


# --- branching -----------------------------------------------------------------------------


def _unmeasured(path: str) -> Callable[[State], bool]:
    """Ask a data question when no file was read, or the file left this value unknown."""
    return lambda state: state.get(path) is None


def _chat_post_training_possible(state: State) -> bool:
    if state.kind() in NO_CHAT_KINDS or state.get("data.format") in NO_CHAT_FORMATS:
        return False
    examples = state.get("data.examples")
    return examples is None or examples >= OWN_ALIGNMENT_MIN_EXAMPLES


def _own_post_training_said(state: State) -> bool:
    return state.kind() == "alignment" or "own-post-training" in state.signals()


def _ask_own_alignment(state: State) -> bool:
    return _chat_post_training_possible(state) and not _own_post_training_said(state)


def _ask_chat_format(state: State) -> bool:
    style = state.get("task.style") or []
    said = CHAT_FORMAT_SIGNALS & set(state.signals()) or "persona" in style
    own = state.get("training.own_alignment") or _own_post_training_said(state)
    return _chat_post_training_possible(state) and bool(own) and not said


def _inferred(path: str) -> Callable[[State], list[str]]:
    return lambda state: list(getattr(state.understanding, path.split(".")[1], []) or [])


QUESTIONS: tuple[Question, ...] = (
    Question(
        "task.description",
        "What should the fine-tuned model do? (a sentence)",
        "text",
        "The task decides the default and its exceptions: chat-style tasks favour the instruct "
        "model; continuation, raw-text pretraining and your own post-training favour base.",
        ("completion-task", "continued-pretraining", "own-alignment"),
    ),
    Question(
        "task.kind",
        "What kind of task is it?",
        "choice",
        "The description did not say which kind of task this is, and the kind decides whether "
        "an exception to the instruct default applies.",
        ("completion-task", "continued-pretraining", "own-alignment"),
        choices=fact_type("task.kind"),
        default=lambda state: "other",
        when=lambda state: state.kind() is None,
    ),
    Question(
        "data.file",
        "Training file to inspect (JSONL, JSON, CSV, Parquet; empty to describe the data instead)",
        "file",
        "A file answers the next three questions by measuring it: format, examples, longest one.",
        ("data-size-small", "context-too-short", "continued-pretraining"),
        when=lambda state: state.dataset is None,
        default_text="describe it",
    ),
    Question(
        "data.format",
        "Format of the training data?",
        "choice",
        "Raw text means continued pretraining and completion data means a continuation task - "
        "both favour base; chat or instruction data on a base model needs a chat template.",
        ("continued-pretraining", "completion-task", "base-chat-data-setup"),
        choices=fact_type("data.format"),
        default=lambda state: FORMAT_FOR_KIND.get(state.kind() or "", "instruction"),
        when=_unmeasured("data.format"),
    ),
    Question(
        "data.examples",
        "How many training examples? (e.g. 500, 20k; empty if unknown)",
        "count",
        "Few examples favour the instruct model; your own post-training needs thousands.",
        ("data-size-small", "data-size-large", "own-alignment"),
        when=_unmeasured("data.examples"),
    ),
    Question(
        "data.max_tokens",
        "Longest example, in tokens? (empty if unknown)",
        "count",
        "A model whose context is shorter than your longest example truncates it in training.",
        ("context-too-short", "sliding-window-limit"),
        when=_unmeasured("data.max_tokens"),
    ),
    Question(
        "task.domains",
        "Sensitive domains the outputs must handle (comma-separated, or none)",
        "choices",
        "Instruct models refuse or hedge in these domains: the alignment tax you would pay.",
        ("tax-refusal-domain", "tax-hedging-domain"),
        choices=fact_type("task.domains"),
        default=_inferred("task.domains"),
    ),
    Question(
        "task.style",
        "Style needs that fight an assistant's habits (comma-separated, or none)",
        "choices",
        "A persona, no disclaimers or raw-distribution sampling cost an instruct model its "
        "house style or calibration: more alignment tax.",
        ("tax-style-conflict", "tax-raw-distribution"),
        choices=fact_type("task.style"),
        default=_inferred("task.style"),
    ),
    Question(
        "training.own_alignment",
        "Will you run your own post-training (SFT, then preference tuning such as DPO)?",
        "yesno",
        "Your own full post-training is an exception where base is right.",
        ("own-alignment",),
        default=lambda state: False,
        when=_ask_own_alignment,
    ),
    Question(
        "training.custom_chat_format",
        "With your own chat format or persona (your own turn markers / special tokens)?",
        "yesno",
        "The own-alignment exception needs both: your post-training and your own chat format.",
        ("own-alignment", "use-exact-template"),
        default=lambda state: False,
        when=_ask_chat_format,
    ),
    Question(
        "constraints.commercial_use",
        "Will the fine-tuned model be used commercially?",
        "yesno",
        "Research-only licences (qwen-research, CC-BY-NC) rule a checkpoint out for a product.",
        ("licence-commercial-forbidden", "licence-commercial-conditional"),
        default=lambda state: False,
    ),
    Question(
        "constraints.licenses",
        "Licences your organisation allows (Hub ids, comma-separated, e.g. apache-2.0, mit; "
        "or none for no allowlist)",
        "licences",
        "A model outside a pre-approved licence list cannot ship, whatever its quality.",
        ("licence-not-allowed",),
        when=lambda state: state.get("constraints.commercial_use") is True,
        default_text="no allowlist",
    ),
    Question(
        "training.gpu_memory_gb",
        "GPU memory for training, in GB (e.g. 24; empty if unknown)",
        "gigabytes",
        "Candidates whose training memory exceeds the GPU fail the memory check.",
        ("memory-over-budget", "memory-tight"),
    ),
    Question(
        "training.method",
        "Training method?",
        "choice",
        "Full fine-tuning needs ~16 bytes per parameter, LoRA ~2, QLoRA ~0.7.",
        ("memory-over-budget", "memory-tight"),
        choices=fact_type("training.method"),
        default=lambda state: "lora",
        when=lambda state: state.get("training.gpu_memory_gb") is not None,
    ),
    Question(
        "models.candidates",
        "Families or repos to consider (comma-separated: a family such as Qwen2.5, or org/name)",
        "models",
        "Only these are compared; each gets its base or instruct sibling so either verdict has "
        "a repo.",
        ("no-base-release", "params-over-limit"),
        default_text="the default set",
    ),
)


# --- reading answers -----------------------------------------------------------------------

_COUNT = re.compile(r"^(\d+(?:\.\d+)?)\s*([km]?)$", re.IGNORECASE)


def read_answer(question: Question, text: str, state: State) -> Any:
    """The typed value of a non-empty answer (the spec then validates it), or AnswerError."""
    kind = question.answer
    if kind == "yesno":
        if text.lower() in _YES_NO:
            return _YES_NO[text.lower()]
        raise AnswerError(f"'{text}': answer yes or no")
    if kind == "choice":
        return _choice(text, question.choices)
    if kind == "choices":
        if text.lower() in NONE_WORDS:
            return []
        return [_choice(item, question.choices) for item in re.split(r"[,\s]+", text) if item]
    if kind == "licences":
        return None if text.lower() in NONE_WORDS else licence_ids(text)
    if kind == "count":
        compact = text.replace(",", "").replace("_", "").replace(" ", "")
        match = _COUNT.match(compact)
        if not match:
            return text  # the spec says why it is not a number
        scale = {"": 1, "k": 1_000, "m": 1_000_000}[match.group(2).lower()]
        return int(float(match.group(1)) * scale)
    if kind == "models":
        return expand_models(text, state)
    return text  # text, and gigabytes: the spec reads "24", "24GB" or "24 GB" as in a YAML file


def licence_ids(text: str) -> list[str]:
    """'Apache 2.0, MIT' -> ['apache-2.0', 'mit']: each item a licence id of the licence table,
    written as an id or by name (the reader's licence names); else a did-you-mean."""
    from advisor.facts.derive import licences
    from advisor.understand.data import combine, knowledge
    from advisor.understand.normalise import normalise

    known = list(licences())
    names = [(li["id"], combine(li["match"])) for li in knowledge("constraints")["licences"]]
    out: dict[str, None] = {}  # in the order given, each once
    for item in (i.strip() for i in re.split(r",|;|\bor\b|\band\b", text) if i.strip()):
        folded = normalise(item).text.strip()
        by_name = (lid for lid, rx in names if rx and rx.fullmatch(folded))
        found = item.lower() if item.lower() in known else next(by_name, None)
        if found is None:
            hint = did_you_mean(item.lower(), known) or f"licence ids: {', '.join(known)}"
            raise AnswerError(f"'{item}' is not a licence id — {hint}")
        out[found] = None
    return list(out)


def _choice(text: str, choices: tuple[str, ...]) -> str:
    by_lower = {choice.lower(): choice for choice in choices}
    return by_lower.get(text.strip().lower(), text.strip())


def expand_models(text: str, state: State) -> list[str]:
    """Families become the repos the default set would pick for them; repo ids stay as given."""
    from advisor.sources import catalog

    known = {family.lower(): family for family in catalog.families()}
    spec = state.spec()
    out: list[str] = []
    for item in (part.strip() for part in text.split(",") if part.strip()):
        if "/" in item or item.startswith(("~", ".")):
            out.append(item)
            continue
        family = known.get(item.lower())
        if family is None:
            hint = (
                did_you_mean(item, known.values()) or "name a catalogued family or a repo org/name"
            )
            raise AnswerError(f"'{item}' is not a catalogued family — {hint}")
        # A family the user names is not cut to the default set's size: only the limits the
        # user set apply (constraints.max_params, the GPU).
        unlimited = spec.constraints.max_params is None
        picked = default_candidates(spec, (family,), max_params_b=1e5 if unlimited else None)
        if not picked:
            raise AnswerError(
                f"no catalogued {family} model fits within {_size_limit_text(spec)} — name a repo "
                "(org/name) to compare a bigger one"
            )
        out += [repo for repo in picked if repo not in out]
    return out


def _size_limit_text(spec: TaskSpec) -> str:
    """The limits the user set (never the default set's own size cap)."""
    parts = []
    if spec.constraints.max_params:
        parts.append(f"{spec.constraints.max_params / 1e9:g}B parameters")
    if spec.training.gpu_memory_gb:
        parts.append(f"{spec.training.gpu_memory_gb:g} GB with {spec.training.method}")
    return " and ".join(parts) or "the catalog"


def set_answer(state: State, question: Question, value: Any) -> None:
    """Put the value in the draft and validate the whole spec; undo and raise AnswerError if bad."""
    section, name = question.id.split(".")
    before = dict(state.draft[section])
    if value is None:
        state.draft[section].pop(name, None)
    else:
        state.draft[section][name] = value
    try:
        state.spec()
    except ValidationError as exc:
        state.draft[section] = before
        raise AnswerError(spec_error(exc, None).one_line()) from None


# --- the interview -------------------------------------------------------------------------


@dataclass
class Interview:
    """What `advisor ask` ended with: the spec, and the training file's profile."""

    spec: TaskSpec
    dataset: DatasetProfile | None


def interview(
    prompter: Prompter, rules: list[Rule], *, dataset: DatasetProfile | None = None
) -> Interview:
    """Ask every question whose `when` holds; return the spec the answers make."""
    by_id = {rule.id: rule for rule in rules}
    state = State(dataset=dataset)
    if dataset is not None:
        _fill_from_dataset(state, dataset)
    for question in QUESTIONS:
        if not question.when(state):
            continue
        _ask(prompter, question, state, by_id)
        if question.id == "task.description":
            state.understanding = understand(state.get("task.description"))
            prompter.say(f"  understood: {describe_understanding(state.understanding)}")
            if state.dataset is not None:
                prompter.say(f"  data: {describe_dataset(state.dataset)}")
    # The run uses the spec exactly as it will be saved, so `advisor recommend FILE` agrees.
    spec = TaskSpec.model_validate(state.spec().to_yaml_dict())
    prompter.say("\nYour answers, as the spec that runs now:")
    prompter.say("\n".join(f"  {line}" for line in spec_yaml(spec).rstrip().splitlines()))
    return Interview(spec=spec, dataset=state.dataset)


def _ask(prompter: Prompter, question: Question, state: State, rules: dict[str, Rule]) -> None:
    default = question.default(state)
    choices = f" ({', '.join(question.choices)})" if question.choices else ""
    prompt = f"{question.prompt}{choices} [{_default_text(question, default)}]: "
    for tries in itertools.count(1):
        if tries > MAX_PIPED_TRIES and not prompter.interactive:
            # Piped answers cannot be corrected: `yes '' | advisor ask` would re-ask forever.
            raise UserError(
                f"{MAX_PIPED_TRIES} piped answers in a row to '{question.id}' could not be "
                "used — nothing written",
                hint="give one valid answer per line (? at a terminal explains a question)",
            )
        text = prompter.line(prompt)
        if text is None:
            raise UserError(
                f"input ended at the question '{question.id}' — nothing written",
                hint="give one answer per line; an empty line takes the default",
            )
        text = text.strip()
        if text == "?":
            prompter.say(help_text(question, state, rules))
            continue
        try:
            if question.answer == "file":
                _read_file_answer(state, text)
                if state.dataset is not None:
                    prompter.say(f"  data: {describe_dataset(state.dataset)}")
                return
            if text == "" and default is None and question.answer == "text":
                raise AnswerError("an answer is needed here")
            value = default if text == "" else read_answer(question, text, state)
            set_answer(state, question, value)
            return
        except AnswerError as exc:
            prompter.say(f"  ! {exc} (? explains the question)")


def _read_file_answer(state: State, text: str) -> None:
    if not text:
        return
    from advisor.dataset import profile_dataset

    try:
        profile = profile_dataset(str(Path(text).expanduser()))
    except UserError as exc:
        raise AnswerError(exc.one_line()) from None
    state.dataset = profile
    _fill_from_dataset(state, profile)


def _fill_from_dataset(state: State, profile: DatasetProfile) -> None:
    """A file's measurements become the answers (the saved spec then reproduces the result)."""
    found = {"format": profile.format, "examples": profile.rows, "max_tokens": profile.max_tokens}
    state.draft["data"].update({name: v for name, v in found.items() if v is not None})


def _default_text(question: Question, default: Any) -> str:
    if question.default_text is not None:
        return question.default_text
    if default is None:
        return "unknown" if question.answer in ("count", "gigabytes") else "required"
    if isinstance(default, bool):
        return "yes" if default else "no"
    if isinstance(default, list):
        return ", ".join(default) or "none"
    return str(default)


def help_text(question: Question, state: State, rules: dict[str, Rule]) -> str:
    """Why the question matters: its one line, then each rule's own explanation."""
    lines = [f"  Why this matters: {question.why}"]
    for rule in (rules[rule_id] for rule_id in question.rules if rule_id in rules):
        lines += [f"  {rule.id} — {rule.summary}", _indented(str(rule.explain.get("why", "")))]
    if question.id == "models.candidates":
        spec = state.spec()
        lines.append(f"  The default set: per family ({', '.join(DEFAULT_FAMILIES)}) the largest")
        limit = (
            f"{spec.constraints.max_params / 1e9:g}B parameters (your limit)"
            if spec.constraints.max_params
            else f"{DEFAULT_MAX_PARAMS_B:g}B parameters (the default set's size; a family you "
            "name is not cut to it)"
        )
        lines.append(f"  catalogued model within {limit}:")
        lines.append(_indented(", ".join(default_candidates(spec)) or "(none fits)"))
    return "\n".join(lines)


def _indented(text: str) -> str:
    # Repo ids carry hyphens: never split one across lines.
    return textwrap.fill(
        " ".join(text.split()),
        width=92,
        initial_indent="    ",
        subsequent_indent="    ",
        break_on_hyphens=False,
    )


def describe_understanding(found: Understanding) -> str:
    parts = [
        f"kind: {found.kind} ({found.kind_source})" if found.kind else "kind: not recognised",
        f"domains: {', '.join(found.domains) or 'none'}",
        f"style: {', '.join(found.style) or 'none'}",
    ]
    if found.signals:
        parts.append(f"signals: {', '.join(found.signals)}")
    return " · ".join(parts)


def describe_dataset(profile: DatasetProfile) -> str:
    longest = f"longest ~{profile.max_tokens:,} tokens" if profile.max_tokens else "length unknown"
    malformed = f", {profile.malformed_count} malformed" if profile.malformed_count else ""
    return (
        f"{profile.path}: {profile.rows:,} rows, format {profile.format or 'undecided'}, "
        f"{longest} ({profile.token_method}){malformed}"
    )


# --- saving --------------------------------------------------------------------------------


def spec_yaml(spec: TaskSpec) -> str:
    body = yaml.safe_dump(spec.to_yaml_dict(), sort_keys=False, allow_unicode=True, width=100)
    return "# advisor task spec v1, written by `advisor ask`; run: advisor recommend FILE\n" + body


def save_spec(path: str, spec: TaskSpec) -> None:
    from advisor.output import write_atomic

    write_atomic(path, spec_yaml(spec))


def offer_to_save(prompter: Prompter, spec: TaskSpec) -> str | None:
    """In a terminal: ask for a file name; empty or end of input saves nothing."""
    prompt = "Save these answers as a spec file? File name [don't save]: "
    while True:
        name = (prompter.line(prompt) or "").strip()
        if not name:
            return None
        try:
            save_spec(name, spec)
            return name
        except UserError as exc:
            prompter.say(f"  ! {exc.one_line()}")
