"""Command line: parse, call, render, and map bad input to one line and exit code 2."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from advisor import __version__
from advisor.errors import EXIT_BAD_INPUT, UserError
from advisor.report import RENDERERS, REPORT_FORMATS
from advisor.sources import SOURCES

FORMATS = tuple(RENDERERS)
SOURCE_HELP = (
    "Where model facts come from. auto: a path on disk is read as a local model folder, a repo "
    "in the embedded catalog uses the catalog, anything else is looked up on the Hub (unless "
    "offline). catalog: embedded facts only. hub: always ask the Hub. local: folders / HF cache."
)


# A bare `advisor` or `advisor rules` shows the help (click raises it as a usage error): keep it.
_HELP_ERRORS: tuple[type[BaseException], ...] = tuple(
    e for e in (getattr(click.exceptions, "NoArgsIsHelpError", None),) if e is not None
)


def _usage_line(exc: click.UsageError) -> str:
    """click's usage error (a bad option, choice or path) as our one line, with the next step."""
    command = exc.ctx.command_path if exc.ctx is not None else "advisor"
    message = " ".join(exc.format_message().split())
    return f"advisor: error: {message} — see '{command} --help'"


class AdvisorGroup(click.Group):
    """Turns UserError and click's usage errors into one line on stderr and exit code 2, never
    a traceback or click's four-line usage block (scripts read the first line of stderr)."""

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except click.UsageError as exc:  # a bad option before the command name
            if isinstance(exc, _HELP_ERRORS):
                raise
            click.echo(_usage_line(exc), err=True)
            sys.exit(EXIT_BAD_INPUT)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UserError as exc:
            click.echo(f"advisor: error: {exc.one_line()}", err=True)
            ctx.exit(EXIT_BAD_INPUT)
        except click.UsageError as exc:
            if isinstance(exc, _HELP_ERRORS):
                raise
            click.echo(_usage_line(exc), err=True)
            ctx.exit(EXIT_BAD_INPUT)
        except KeyboardInterrupt:
            click.echo("advisor: interrupted", err=True)
            ctx.exit(130)


@click.group(cls=AdvisorGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="advisor")
def cli() -> None:
    """Base or instruct? Where to start a fine-tune, with the reasons."""


def _rules_option(func):
    return click.option(
        "--rules",
        "rule_dirs",
        multiple=True,
        type=click.Path(file_okay=False),
        help="Add a folder of your own rule files (repeatable).",
    )(func)


def _run_options(func):
    """Options shared by every command that runs a recommendation (recommend, report)."""
    options = [
        click.option(
            "--data",
            "data_path",
            type=click.Path(),
            help="Training file to inspect (JSONL, JSON, CSV, Parquet).",
        ),
        click.option(
            "-o",
            "--output",
            type=click.Path(dir_okay=False),
            help="Write the report to FILE (atomically).",
        ),
        click.option(
            "--source",
            type=click.Choice(SOURCES),
            default="auto",
            show_default=True,
            help=SOURCE_HELP,
        ),
        click.option(
            "--offline", is_flag=True, help="Never touch the network (also: HF_HUB_OFFLINE=1)."
        ),
        click.option("--refresh", is_flag=True, help="Bypass the cache of Hub answers."),
        _rules_option,
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _build_spec(
    spec_path: str | None, task: str | None, examples: int | None, data_format: str | None
):
    from advisor.spec import TaskSpec, load_spec, spec_error

    if spec_path and task:
        raise UserError("give a SPEC file or --task, not both")
    if not spec_path and not task:
        raise UserError(
            "nothing to recommend for", hint="give a SPEC file, '-' for stdin, or --task \"...\""
        )
    if spec_path:
        spec = load_spec(spec_path)
        data = spec.data.model_dump()
    else:
        data = {}
        spec = None
    if examples is not None:
        data["examples"] = examples
    if data_format is not None:
        data["format"] = data_format
    from pydantic import ValidationError

    try:
        if spec is None:
            return TaskSpec.model_validate({"task": {"description": task}, "data": data})
        return spec.model_copy(update={"data": type(spec.data).model_validate(data)})
    except ValidationError as exc:
        raise spec_error(exc, None) from None


def _emit(text: str, output: str | None) -> None:
    # `-o ""` is a mistake to report, not a request for stdout.
    if output is not None:
        from advisor.output import write_atomic

        write_atomic(output, text)
        click.echo(f"advisor: wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


def render_recommendation(
    rec, fmt: str, *, explain: bool = False, output: str | None = None
) -> str:
    import os

    from advisor.report import RenderOptions, render

    # Colour only for a person at a terminal, never into a file or with NO_COLOR set.
    colour = output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    return render(rec, fmt, RenderOptions(explain=explain, colour=colour))


@cli.command()
@click.argument("spec", required=False)
@click.option("--task", help="The task in a sentence, instead of a SPEC file.")
@click.option("--examples", type=click.IntRange(min=0), help="Number of training examples.")
@click.option(
    "--data-format",
    type=click.Choice(["chat", "instruction", "raw-text", "completion", "preference"]),
    help="Format of the training data.",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@_run_options
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
    type=click.Choice(("trl", "axolotl", "llamafactory", "unsloth")),
    help="Write a starting training config for this framework instead of the report.",
)
def recommend(
    spec,
    task,
    examples,
    data_format,
    data_path,
    fmt,
    output,
    source,
    offline,
    refresh,
    explain,
    rule_dirs,
    emit_framework,
):
    """Recommend base or instruct, and the repo, for SPEC (a YAML file, or - for stdin)."""
    task_spec = _build_spec(spec, task, examples, data_format)
    if emit_framework:
        from advisor.emit.command import write_config

        write_config(
            task_spec, spec or "--task", emit_framework, None, output, data_path, source,
            offline, refresh, rule_dirs,
        )  # fmt: skip
        return
    _recommend_and_emit(
        task_spec, fmt, output, data_path, source, offline, refresh, rule_dirs, explain=explain
    )


@cli.command()
@click.argument("spec")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(REPORT_FORMATS),
    default="markdown",
    show_default=True,
)
@_run_options
def report(spec, fmt, data_path, output, source, offline, refresh, rule_dirs):
    """A model-selection report for SPEC (Markdown, JSON or one self-contained HTML file)."""
    task_spec = _build_spec(spec, None, None, None)
    _recommend_and_emit(task_spec, fmt, output, data_path, source, offline, refresh, rule_dirs)


def _recommend_and_emit(
    task_spec, fmt, output, data_path, source, offline, refresh, rule_dirs, *, explain=False
) -> None:
    """The one code path behind `recommend` and `report`: spec -> recommendation -> FILE/stdout."""
    from advisor.pipeline import run

    dataset = _profile(data_path) if data_path else None
    rec = run(
        task_spec,
        rule_dirs=list(rule_dirs),
        dataset=dataset,
        source=source,
        offline=offline,
        refresh=refresh,
    )
    _emit(render_recommendation(rec, fmt, explain=explain, output=output), output)


def _profile(path: str):
    from advisor.dataset import profile_dataset

    return profile_dataset(path)


@cli.command("config")
@click.argument("spec", required=False)
@click.option("--task", help="The task in a sentence, instead of a SPEC file.")
@click.option(
    "--framework",
    type=click.Choice(("trl", "axolotl", "llamafactory", "unsloth")),
    required=True,
    help="trl / unsloth: a Python script; axolotl / llamafactory: their YAML.",
)
@click.option("--repo", help="Write the config for this repo instead of the recommended one.")
@_run_options
def config_cmd(spec, task, framework, repo, data_path, output, source, offline, refresh, rule_dirs):
    """A starting training config for the recommended repo, every setting with its reason."""
    from advisor.emit.command import write_config

    task_spec = _build_spec(spec, task, None, None)
    write_config(
        task_spec, spec or "--task", framework, repo, output, data_path, source, offline,
        refresh, rule_dirs,
    )  # fmt: skip


@cli.command()
@click.option(
    "--data", "data_path", type=click.Path(), help="Training file to inspect instead of asking."
)
@click.option(
    "--save-spec",
    type=click.Path(dir_okay=False),
    help="Write the answers as a spec FILE (atomically) that `advisor recommend FILE` reproduces.",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option(
    "--source", type=click.Choice(SOURCES), default="auto", show_default=True, help=SOURCE_HELP
)
@click.option("--offline", is_flag=True, help="Never touch the network (also: HF_HUB_OFFLINE=1).")
@_rules_option
def ask(data_path, save_spec, fmt, source, offline, rule_dirs):
    """Answer a few questions instead of writing a spec (? explains a question).

    Questions go to stderr and the report to stdout. Answers may be piped, one per line; an
    empty line takes the default. Input that ends early exits with code 2, Ctrl-C with 130;
    either way nothing is written.
    """
    from advisor import questionnaire
    from advisor.engine.loader import load_rules
    from advisor.pipeline import run
    from advisor.prompter import Prompter

    if save_spec:
        questionnaire.check_save_path(save_spec)
    rules = load_rules(list(rule_dirs))
    dataset = _profile(data_path) if data_path else None
    prompter = Prompter.from_stdio()
    answers = questionnaire.interview(prompter, rules, dataset=dataset)
    rec = run(answers.spec, rules=rules, dataset=answers.dataset, source=source, offline=offline)
    prompter.say()
    click.echo(render_recommendation(rec, fmt), nl=False)
    if save_spec:
        questionnaire.save_spec(save_spec, answers.spec)
        click.echo(f"advisor: wrote {save_spec}", err=True)
    elif prompter.interactive and (saved := questionnaire.offer_to_save(prompter, answers.spec)):
        click.echo(f"advisor: wrote {saved}", err=True)


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
    if report:
        from advisor.report.schema import report_schema

        click.echo(json.dumps(report_schema(), indent=2))
        return
    from advisor.spec import json_schema

    click.echo(json.dumps(json_schema(), indent=2))


@cli.group()
def rules() -> None:
    """List and explain the rules."""


@rules.command("list")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@_rules_option
def rules_list(fmt: str, rule_dirs) -> None:
    """Every rule: id, kind, effect and summary."""
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
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@_rules_option
def rules_show(rule_id: str, fmt: str, rule_dirs) -> None:
    """One rule's documentation and its test cases."""
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
@click.option(
    "--source", type=click.Choice(SOURCES), default="auto", show_default=True, help=SOURCE_HELP
)
@click.option("--offline", is_flag=True, help="Never touch the network (also: HF_HUB_OFFLINE=1).")
@click.option("--refresh", is_flag=True, help="Bypass the cache of Hub answers.")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def inspect_cmd(target: str, source: str, offline: bool, refresh: bool, fmt: str) -> None:
    """The normalised facts of one model, each with where it came from."""
    from advisor.inspect_view import render
    from advisor.sources.resolve import inspect_model

    facts = inspect_model(target, source=source, offline=offline, refresh=refresh)
    click.echo(render(facts, fmt), nl=False)
    if facts.error_kind:
        # A misspelt repo is the user's input; a network or access problem is not.
        sys.exit(EXIT_BAD_INPUT if facts.error_kind == "not-found" else 1)


@cli.group("catalog")
def catalog_group() -> None:
    """The embedded model catalog."""


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
    from pathlib import Path

    from advisor.catalog_refresh import refresh_catalog, summary

    result = refresh_catalog(
        list(repos) or None, output=Path(output) if output else None, offline=offline
    )
    click.echo(summary(result), nl=False)
    if result.failed and not result.updated:
        sys.exit(1)


def main() -> None:
    cli(prog_name="advisor")


if __name__ == "__main__":
    main()
