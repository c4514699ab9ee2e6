"""`advisor config` / `recommend --emit`: recommendation -> plan -> config file + warnings."""

from __future__ import annotations

import click

from advisor.errors import UserError
from advisor.stdio import say


def write_config(
    spec,
    spec_name: str,
    framework: str,
    repo: str | None,
    output: str | None,
    data_path: str | None,
    rule_dirs,
    **fetch,
) -> None:
    """fetch: the --source / --offline / --refresh choices, as `pipeline.run` takes them."""
    from advisor.emit import build_plan, render_config
    from advisor.emit.fields import CHECKS
    from advisor.output import check_writable, write_atomic
    from advisor.pipeline import run
    from advisor.sources.resolve import fetch_models
    from advisor.spec import check_repo_id

    if output is not None:
        check_writable(output)
    if repo is not None:
        try:
            repo = check_repo_id(repo)  # a pasted model page address becomes its repo id
        except ValueError as exc:
            raise UserError(f"--repo: {exc}") from None
    dataset = None
    if data_path:
        from advisor.dataset import profile_dataset

        dataset = profile_dataset(data_path)
    rec = run(spec, rule_dirs=list(rule_dirs), dataset=dataset, **fetch)
    if rec.facts.get("data.format", {}).get("value") == "preference":
        # Every emitter writes supervised fine-tuning; an SFT run on chosen/rejected rows would
        # fail on their fields or train on the wrong text, so no config beats a wrong one.
        raise UserError(
            "data.format is preference (chosen/rejected pairs): advisor writes supervised "
            "fine-tuning configs only, and SFT does not train on preference pairs",
            hint="fine-tune on the chosen replies first (data.format: chat), then run a "
            "preference trainer: TRL DPOTrainer / `trl dpo`, axolotl `rl: dpo`, LLaMA-Factory "
            "`stage: dpo`",
        )
    target = repo or rec.repo
    if target is None:
        raise UserError(
            "no candidate passed the checks, so there is no repo to write a config for",
            hint="run `advisor recommend` to see why, or name one with --repo",
        )
    model = next((c.facts for c in rec.candidates if c.repo_id == target), None)
    if model is None:
        model = fetch_models([target], include_siblings=False, **fetch)[0]
    if model.error:
        raise UserError(f"--repo {target}: {model.error}")
    plan = build_plan(rec, model, spec_name)
    text, warnings = render_config(plan, framework)
    problems = CHECKS[framework](text)
    if problems:  # an emitter bug: never hand out a config the framework would reject
        raise RuntimeError(f"{framework} config failed its field check: {problems[0]}")
    if output is not None:
        write_atomic(output, text)
        say(f"advisor: wrote {output}")
    else:
        click.echo(text, nl=False)
    for warning in dict.fromkeys(warnings):
        say(f"advisor: warning: {warning}")
