"""Command line: parse, call, render, and map bad input to one line and exit code 2."""

from __future__ import annotations

import os
import sys
from pathlib import Path  # loaded already by the imports below: free for `advisor --help`
from typing import Any, NoReturn

import click

from advisor import __version__
from advisor.dataformats import DATA_FORMATS
from advisor.errors import EXIT_BAD_INPUT, UserError, did_you_mean
from advisor.report import RENDERERS, REPORT_FORMATS
from advisor.sources import SOURCE_HELP, SOURCES
from advisor.stdio import say

# advisor.emit.FRAMEWORKS, spelled out so `advisor --help` does not import the emitters.
CONFIG_FRAMEWORKS = ("trl", "trl-cli", "axolotl", "llamafactory", "unsloth")
OPTIMIZER_NAMES = (
    "adamw",
    "adamw-bf16",
    "adamw-8bit",
    "paged-adamw-8bit",
    "paged-adamw",
    "sgd",
    "adafactor",
)  # fmt: skip  (advisor.memory.settings.OPTIMIZERS; a test keeps them equal)

FORMATS = tuple(RENDERERS)
TEXT_OR_JSON = ("text", "json")
METHODS = ("full", "lora", "qlora")


# A bare `advisor` or `advisor rules` shows the help (click raises it as a usage error): keep it.
# Before click 8.2 there is no such error; isinstance() with an empty tuple matches nothing.
_HELP_ERRORS = getattr(click.exceptions, "NoArgsIsHelpError", ())


def _refuse_usage(exc: click.UsageError) -> NoReturn:
    """click's usage error (a bad option, choice or path) as our one line, with the next step,
    and exit code 2; the help a bare `advisor` shows goes on as click raised it."""
    if isinstance(exc, _HELP_ERRORS):
        raise exc
    command = exc.ctx.command_path if exc.ctx is not None else "advisor"
    message = " ".join(exc.format_message().split())
    say(f"advisor: error: {message} — see '{command} --help'")
    sys.exit(EXIT_BAD_INPUT)


class AdvisorGroup(click.Group):
    """Turns UserError and click's usage errors into one line on stderr and exit code 2, never
    a traceback or click's four-line usage block (scripts read the first line of stderr)."""

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except click.UsageError as exc:  # a bad option before the command name
            _refuse_usage(exc)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UserError as exc:
            say(f"advisor: error: {exc.one_line()}")
            ctx.exit(exc.exit_code)
        except click.UsageError as exc:
            _refuse_usage(exc)
        except KeyboardInterrupt:
            click.echo("advisor: interrupted", err=True)
            ctx.exit(130)


@click.group(cls=AdvisorGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="advisor")
def cli() -> None:
    """Base or instruct? Where to start a fine-tune, with the reasons."""


def _options(*options):
    """Apply click options in the order listed (one declaration, used by every command)."""

    def apply(func):
        for option in reversed(options):
            func = option(func)
        return func

    return apply


RULES = click.option(
    "--rules",
    "rule_dirs",
    multiple=True,
    type=click.Path(file_okay=False),
    help="Add a folder of your own rule files (repeatable).",
)
SOURCE = click.option(
    "--source", type=click.Choice(SOURCES), default="auto", show_default=True, help=SOURCE_HELP
)
OFFLINE = click.option(
    "--offline", is_flag=True, help="Never touch the network (also: HF_HUB_OFFLINE=1)."
)
FETCH = _options(
    SOURCE,
    OFFLINE,
    click.option("--refresh", is_flag=True, help="Bypass the cache of Hub answers."),
)
DATA = click.option(
    "--data",
    "data_path",
    type=click.Path(),
    help="Training file to inspect (JSONL, JSON, CSV, Parquet).",
)
OUTPUT = click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Write the report to FILE (atomically)."
)
# What a spec can take from the command line (spec.from_inputs merges them into the spec).
SPEC_INPUTS = _options(
    click.argument("spec", required=False),
    click.option("--task", help="The task in a sentence, instead of a SPEC file."),
    click.option("--examples", type=click.IntRange(min=0), help="Number of training examples."),
    click.option(
        "--data-format", type=click.Choice(DATA_FORMATS), help="Format of the training data."
    ),
    click.option("--gpu-gb", help="GPU memory for training, in GB (e.g. 24 or 24GB)."),
    click.option("--method", type=click.Choice(METHODS), help="Training method."),
    click.option(
        "--license", "licenses", multiple=True, help="An allowed licence id (repeatable)."
    ),
    click.option(
        "--language",
        "languages",
        multiple=True,
        help="A language the model must handle (ISO 639-1, repeatable).",
    ),
    click.option(
        "--candidate", "candidates", multiple=True, help="A repo to compare (org/name, repeatable)."
    ),
    click.option("--max-params", help="Largest acceptable model, e.g. 8B or 500M."),
)
# Each flag above and the spec field it sets (a flag always wins over the spec and the text).
SPEC_FLAGS = {
    "examples": "data.examples",
    "data_format": "data.format",
    "gpu_gb": "training.gpu_memory_gb",
    "method": "training.method",
    "licenses": "constraints.licenses",
    "languages": "constraints.languages",
    "candidates": "models.candidates",
    "max_params": "constraints.max_params",
}


# The options of every command that runs a recommendation, after its own.
RUN = _options(DATA, OUTPUT, FETCH, RULES)


def _task_spec(spec, task, flags: dict):
    """The spec from SPEC or --task plus the flags; the flags used are taken out of `flags`."""
    from advisor.spec import from_inputs

    given = {field: flags.pop(name, None) for name, field in SPEC_FLAGS.items()}
    overrides = {f: (list(v) or None) if isinstance(v, tuple) else v for f, v in given.items()}
    return from_inputs(spec, task, overrides), {f for f, v in overrides.items() if v is not None}


def _say_what_was_read(rec, flagged: set[str]) -> None:
    """For --task: what the sentence gave, what a flag replaced, and what was not used."""
    read = rec.understanding.facts
    for name, fact in rec.facts.items():
        if fact["origin"] == "inferred" and name in read:
            say(f"advisor: read from --task: {name} = {fact['value']} ({fact['from']!r})")
    for name in sorted(flagged & set(read)):
        say(
            f"advisor: --task also says {name} = {read[name]['value']} ({read[name]['from']!r}); "
            "the flag wins"
        )
    for note in rec.understanding.ignored:
        say(f"advisor: ignored in --task: {note}")
    if rec.nothing_understood:
        say(
            "advisor: nothing in --task was understood; the verdict is the default "
            "(run `advisor ask`, or pass --data-format / --examples)"
        )


def format_option(choices: tuple[str, ...], default: str):
    return click.option(
        "--format", "fmt", type=click.Choice(choices), default=default, show_default=True
    )


def _emit(text: str, output: str | None) -> None:
    from advisor.output import encodable, write_atomic

    # `-o ""` is a mistake to report, not a request for stdout.
    if output is not None:
        write_atomic(output, text)
        say(f"advisor: wrote {output}")
    else:
        click.echo(encodable(text), nl=False)


def render_recommendation(
    rec, fmt: str, *, explain: bool = False, output: str | None = None
) -> str:
    from advisor.report import RenderOptions, render

    # Colour only for a person at a terminal, never into a file or with NO_COLOR set.
    colour = output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    return render(rec, fmt, RenderOptions(explain=explain, colour=colour))


@cli.command()
@SPEC_INPUTS
@format_option(FORMATS, "text")
@RUN
@click.option(
    "--explain",
    "-v",
    "--verbose",
    "explain",
    is_flag=True,
    help="Every rule, clause and fact (the full trace), not just the one-screen summary.",
)
@click.option(
    "--emit",
    "emit_framework",
    type=click.Choice(CONFIG_FRAMEWORKS),
    help="Write a starting training config for this framework instead of the report.",
)
def recommend(fmt, output, explain, emit_framework, **inputs):
    """Recommend base or instruct, and the repo, for SPEC (a YAML file, or - for stdin)."""
    if emit_framework:
        _write_config(emit_framework, None, output, **inputs)
        return
    _recommend_and_emit(fmt, output, explain=explain, **inputs)


@cli.command()
@SPEC_INPUTS
@format_option(REPORT_FORMATS, "markdown")
@RUN
def report(fmt, output, **inputs):
    """A model-selection report for SPEC or --task (Markdown, JSON or one self-contained HTML)."""
    _recommend_and_emit(fmt, output, **inputs)


def _recommend_and_emit(
    fmt, output, *, spec, task, data_path, rule_dirs, explain=False, **fetch
) -> None:
    """The one code path behind `recommend` and `report`: spec -> recommendation -> FILE/stdout."""
    pending = None
    if data_path:  # started before the heavy imports, so that they overlap with reading it
        from advisor.dataset.background import PendingProfile

        pending = PendingProfile(data_path)
    try:
        from advisor.pipeline import run

        task_spec, flagged = _task_spec(spec, task, fetch)
    except BaseException:
        if pending:
            pending.cancel()
        raise
    dataset = pending.result() if pending else None
    rec = run(task_spec, rule_dirs=list(rule_dirs), dataset=dataset, **fetch)
    if task:
        _say_what_was_read(rec, flagged)
    _emit(render_recommendation(rec, fmt, explain=explain, output=output), output)


@cli.command("config")
@SPEC_INPUTS
@click.option(
    "--framework",
    type=click.Choice(CONFIG_FRAMEWORKS),
    required=True,
    help="trl / unsloth: a Python script; trl-cli: a `trl sft --config` YAML; axolotl / "
    "llamafactory: their YAML.",
)
@click.option("--repo", help="Write the config for this repo instead of the recommended one.")
@RUN
def config_cmd(framework, repo, output, **inputs):
    """A starting training config for the recommended repo, every setting with its reason."""
    _write_config(framework, repo, output, **inputs)


def _write_config(framework, repo, output, *, spec, task, data_path, rule_dirs, **fetch) -> None:
    from advisor.emit.command import write_config

    task_spec, _ = _task_spec(spec, task, fetch)
    write_config(
        task_spec, spec or "--task", framework, repo, output, data_path, rule_dirs, **fetch
    )


@cli.command()
@click.option(
    "--data", "data_path", type=click.Path(), help="Training file to inspect instead of asking."
)
@click.option(
    "--save-spec",
    type=click.Path(dir_okay=False),
    help="Write the answers as a spec FILE (atomically) that `advisor recommend FILE` reproduces.",
)
@format_option(FORMATS, "text")
@FETCH
@RULES
def ask(data_path, save_spec, fmt, rule_dirs, **fetch):
    """Answer a few questions instead of writing a spec (? explains a question).

    Questions go to stderr and the report to stdout. Answers may be piped, one per line; an
    empty line takes the default. Input that ends early exits with code 2, Ctrl-C with 130;
    either way nothing is written.
    """
    from advisor import questionnaire
    from advisor.engine.loader import load_rules
    from advisor.output import check_writable
    from advisor.pipeline import run
    from advisor.prompter import Prompter

    if save_spec:  # fail before the questions, not after them
        check_writable(save_spec)
    rules = load_rules(list(rule_dirs))
    dataset = None
    if data_path:
        from advisor.dataset import profile_dataset

        dataset = profile_dataset(data_path)
    prompter = Prompter.from_stdio()
    answers = questionnaire.interview(prompter, rules, dataset=dataset)
    rec = run(answers.spec, rules=rules, dataset=answers.dataset, **fetch)
    prompter.say()
    click.echo(render_recommendation(rec, fmt), nl=False)
    if save_spec:
        questionnaire.save_spec(save_spec, answers.spec)
        say(f"advisor: wrote {save_spec}")
    elif prompter.interactive and (saved := questionnaire.offer_to_save(prompter, answers.spec)):
        say(f"advisor: wrote {saved}")


@cli.command()
@click.argument("spec")
def validate(spec: str) -> None:
    """Check a SPEC file; print OK or one line saying what is wrong and where."""
    from advisor.spec import load_spec

    load_spec(spec)
    click.echo(f"{spec}: OK")


@cli.command()
@click.option("--report", is_flag=True, help="The JSON report's schema instead of the task spec's.")
def schema(report: bool) -> None:
    """Print the JSON Schema of the task spec (or of the JSON report)."""
    import json

    if report:
        from advisor.report.schema import report_schema as schema_of
    else:
        from advisor.spec import json_schema as schema_of
    click.echo(json.dumps(schema_of(), indent=2))


@cli.group()
def rules() -> None:
    """List and explain the rules."""


@rules.command("list")
@format_option(TEXT_OR_JSON, "text")
@RULES
def rules_list(fmt: str, rule_dirs) -> None:
    """Every rule: id, kind, effect and summary."""
    import json

    from advisor.engine.loader import load_rules

    loaded = load_rules(list(rule_dirs))
    if fmt == "json":
        rows = [
            {"id": r.id, "kind": r.kind, "effect": r.effect_text(), "summary": r.summary}
            for r in loaded
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    for rule in sorted(loaded, key=lambda r: (r.kind, r.id)):
        click.echo(f"{rule.id:<32} {rule.kind:<14} {rule.effect_text():<22} {rule.summary}")


@rules.command("show")
@click.argument("rule_id")
@format_option(TEXT_OR_JSON, "text")
@RULES
def rules_show(rule_id: str, fmt: str, rule_dirs) -> None:
    """One rule's documentation and its test cases."""
    import json

    from advisor.engine.docs import find_rule, rule_json, rule_text
    from advisor.engine.loader import load_rules

    rule = find_rule(load_rules(list(rule_dirs)), rule_id)
    click.echo(json.dumps(rule_json(rule), indent=2) if fmt == "json" else rule_text(rule))


@rules.command("facts")
def rules_facts() -> None:
    """The named facts a rule may test, with their types."""
    from advisor.engine.registry import FACTS

    for name, (kind, doc) in FACTS.items():
        shown = "|".join(kind) if isinstance(kind, tuple) else kind
        click.echo(f"{name:<34} {shown:<30} {doc}")


@rules.command("doc")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE.")
def rules_doc(output: str | None) -> None:
    """The rule reference (docs/rules.md), generated from the rule files."""
    from advisor.engine.docs import reference_markdown
    from advisor.engine.loader import load_rules

    _emit(reference_markdown(load_rules()), output)


@cli.command("inspect")
@click.argument("target", metavar="REPO_OR_PATH")
@FETCH
@format_option(TEXT_OR_JSON, "text")
def inspect_cmd(target: str, fmt: str, **fetch) -> None:
    """The normalised facts of one model, each with where it came from."""
    from advisor.inspect_view import render
    from advisor.sources.resolve import inspect_model

    facts = inspect_model(target, **fetch)
    click.echo(render(facts, fmt), nl=False)
    if facts.error_kind:
        # A misspelt repo is the user's input; a network or access problem is not.
        sys.exit(EXIT_BAD_INPUT if facts.error_kind == "not-found" else 1)


class _FiniteFloatRange(click.FloatRange):
    """click's FloatRange passes 'nan' (every comparison with NaN is false): refused here."""

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        number = super().convert(value, param, ctx)
        if number != number:  # NaN
            self.fail(f"{value!r} is not a number (give GB, e.g. 24)", param, ctx)
        return number


@cli.command("memory")
@click.argument("target", metavar="MODEL")
@click.option("--method", type=click.Choice(METHODS), default="lora", show_default=True)
@click.option("--seq-len", type=click.IntRange(1, 100_000_000), help="Tokens per sequence [1024].")
@click.option("--batch-size", type=click.IntRange(1, 4096), help="Micro-batch per GPU [1].")
@click.option("--gradient-checkpointing/--no-gradient-checkpointing", default=None, help="[on]")
@click.option("--optimizer", type=click.Choice(list(OPTIMIZER_NAMES)), help="[adamw]")
@click.option("--lora-rank", type=click.IntRange(1, 4096), help="[16]")
@click.option("--lora-targets", help="all-linear, attention, mlp or e.g. q,v [all-linear].")
@click.option("--gpus", type=click.IntRange(1, 4096), help="[1]")
@click.option("--sharding", type=click.Choice(["ddp", "zero2", "zero3", "fsdp"]), help="[fsdp]")
@click.option(
    "--gpu-memory-gb",
    type=_FiniteFloatRange(min=0, min_open=True, max=100_000),
    help="Your GPU: say whether it fits, the longest sequence that does, and fixes.",
)
@SOURCE
@OFFLINE
@format_option(TEXT_OR_JSON, "text")
def memory_cmd(
    target: str, method: str, seq_len, gpu_memory_gb, source, offline, fmt, **training
) -> None:
    """GPU memory of one training step for MODEL (repo id, catalog entry or local folder)."""
    from advisor.memory.report import build, render
    from advisor.memory.settings import from_task, parse_targets
    from advisor.sources.resolve import fetch_one

    if training["lora_targets"] is not None:
        try:
            parse_targets(training["lora_targets"])
        except ValueError as exc:
            raise UserError(f"--lora-targets: {exc}") from None
    task = {"data.max_tokens": seq_len, "data.max_tokens_from": "--seq-len"}
    # Every other option is the training.* setting of its name (--lora-rank: training.lora_rank).
    task.update({f"training.{name}": value for name, value in training.items()})
    setup = from_task({k: v for k, v in task.items() if v is not None}, method)
    facts = fetch_one(target, source=source, offline=offline, children=False)
    if facts.error and not facts.has("hidden_size") and not facts.has("params_b"):
        raise UserError(facts.error)
    click.echo(render(build(facts, setup, gpu_memory_gb), fmt), nl=False)


@cli.group("catalog")
def catalog_group() -> None:
    """The embedded model catalog."""


@catalog_group.command("list")
@click.option("--family", help="Only this family (e.g. Qwen2.5, Llama-3.1).")
@format_option(TEXT_OR_JSON, "text")
def catalog_list(family: str | None, fmt: str) -> None:
    """What the embedded catalog holds: repo, family, variant, parameters, context, licence."""
    import json

    from advisor.sources.catalog import families, summary

    rows = summary(family)
    if family and not rows:
        hint = did_you_mean(family, families()) or f"families: {', '.join(families())}"
        raise UserError(f"no family '{family}' in the catalog", hint=hint)
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    from advisor.report.labels import terminal, value

    click.echo(f"{'repo':<44} {'family':<18} {'variant':<8} {'params':>7} {'context':>9}  licence")
    for row in rows:
        params = value(row["params_b"], "B") if row["params_b"] is not None else "unknown"
        line = (
            f"{row['repo_id']:<44} {value(row['family']):<18} {value(row['variant']):<8} "
            f"{params:>7} {value(row['context_length']):>9}  {value(row['license'])}"
        )
        click.echo(terminal(line))


@catalog_group.command("refresh")
@click.option("--repo", "repos", multiple=True, help="Refresh only this repo (repeatable).")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Write the refreshed catalog here (default: in place; use with ADVISOR_CATALOG=FILE).",
)
@click.option("--offline", is_flag=True, help="Refuse (refresh needs the Hub).")
def catalog_refresh(repos: tuple[str, ...], output: str | None, offline: bool) -> None:
    """Re-read catalogued repos from the Hub, keeping each fact's provenance."""
    from advisor.catalog_refresh import refresh_catalog, summary

    result = refresh_catalog(
        list(repos) or None, output=Path(output) if output else None, offline=offline
    )
    click.echo(summary(result), nl=False)
    if result.failed and not result.updated:
        sys.exit(1)


def main() -> None:
    """`advisor` (advisor/__main__.py turns the garbage collector off first)."""
    from advisor.stdio import run_with_safe_stdout

    run_with_safe_stdout(lambda: cli(prog_name="advisor"))


def hf_main() -> None:
    """`hf-advisor`: the Hugging Face CLI runs it as `hf advisor ...` (hf extensions)."""
    cli(prog_name="hf advisor")
