"""The model-selection report as GitHub-flavoured Markdown, rendered from the JSON form only.

Everything that comes from model metadata, rule messages or the user's spec goes through `md()`:
a model card or licence name with `|`, `<script>` or backticks must neither break a table nor
reach the reader as HTML.
"""

from __future__ import annotations

import re
from typing import Any

from advisor.report import labels as L

# Characters that start Markdown syntax inline; `<`, `>` and `&` become entities instead so
# no raw HTML survives (GitHub would otherwise pass some tags through).
_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}|~#!])")
_IDENT = re.compile(r"^[a-z][a-z0-9_.-]*$")


def md(text: Any) -> str:
    """Escape one value for a Markdown paragraph or table cell (single line)."""
    s = L.no_controls(text)
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = _MD_SPECIAL.sub(r"\\\1", s)
    return " ".join(s.split())


def rule(rule_id: str) -> str:
    """A rule id or fact name as code; anything that is not a plain identifier is escaped."""
    return f"`{rule_id}`" if _IDENT.match(rule_id) else md(rule_id)


def _table(head: list[str], rows: list[list[str]], align: str | None = None) -> list[str]:
    marks = list(align) if align else ["l"] * len(head)
    sep = ["---:" if m == "r" else ":---:" if m == "c" else "---" for m in marks]
    lines = ["| " + " | ".join(head) + " |", "| " + " | ".join(sep) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines + [""]


def render(report: dict[str, Any], options: Any = None) -> str:
    lines: list[str] = []
    for section in (
        _header,
        _decision,
        _what_would_change,
        _understanding,
        _exceptions,
        _tax,
        _candidates,
        _checks,
        _memory,
        _advice,
        _facts,
    ):
        lines += section(report)
    return "\n".join(lines).rstrip("\n") + "\n"


def _header(report: dict[str, Any]) -> list[str]:
    d = report["decision"]
    spec = report["task"]["spec"]
    u = report["task"]["understanding"]
    repo = md(d["repo"]) if d["repo"] else "none: no candidate passes every fit check"
    lines = [
        "# Model-selection report",
        "",
        f"> **Verdict: {d['variant'].upper()}.** {md(d['summary'])}",
        f"> Start from **{repo}** (confidence {md(d['confidence'])}).",
    ]
    if d["close_call"]:
        lines.append("> **Close call:** fine-tune both variants and compare them (see next steps).")
    lines += [
        "",
        f"**Task:** {md(spec['task']['description'])}",
        "",
        f"- kind: {md(L.value(u['kind']))} ({md(u['kind_source'])})",
    ]
    for name in ("signals", "domains", "style"):
        if u[name]:
            lines.append(f"- {name}: {md(L.value(u[name]))}")
    data = spec["data"]
    lines.append(
        f"- data: format {md(L.value(data['format']))}, {md(L.value(data['examples']))} examples, "
        f"longest {md(L.value(data['max_tokens']))} tokens"
    )
    ds = report.get("dataset")
    if ds:
        lines.append(
            f"- training file {md(ds['path'])}: {md(L.value(ds['rows']))} rows, format "
            f"{md(L.value(ds['format']))}, longest ~{md(L.value(ds['max_tokens']))} tokens "
            f"({md(ds['token_method'])})"
        )
    training = spec["training"]
    lines.append(
        f"- training: {md(L.METHOD_TITLE.get(training['method'], training['method']))}, GPU "
        f"{md(L.gb(training['gpu_memory_gb']) if training['gpu_memory_gb'] else 'not given')}"
    )
    return lines + [""]


def _what_would_change(report: dict[str, Any]) -> list[str]:
    changes = report["decision"].get("what_would_change") or []
    lines = ["## What would change the verdict", ""]
    if not changes:
        return lines + ["No single or paired change of the facts you state flips it.", ""]
    for c in changes:
        lines.append(f"- {md(c['summary'])} ({md(c['effect'])})")
    return lines + [""]


def _understanding(report: dict[str, Any]) -> list[str]:
    task = report["task"]
    lines = ["## What advisor understood", ""]
    if not task.get("understood", True):
        lines += [f"**Nothing was understood.** {md(task['hint'])}", ""]
    rows = [
        [rule(name), md(L.value(f["value"])), md(f["origin"]), md(f.get("from") or "")]
        for name, f in task.get("facts", {}).items()
    ]
    lines += _table(["fact", "value", "origin", "from your words"], rows)
    against = task["understanding"].get("against") or []
    if against:
        lines += ["Negated, so counted against:", ""]
        lines += [f'- "{md(a["matched"])}" ({md(a["against"])})' for a in against] + [""]
    return lines


def _decision(report: dict[str, Any]) -> list[str]:
    d = report["decision"]
    votes = d["votes"]
    lines = [
        "## Decision",
        "",
        f"Votes: base **{votes['base']['total']:g}**, instruct **{votes['instruct']['total']:g}** "
        f"(score {d['score']:g}). The verdict is the sum of the rules that fired:",
        "",
    ]
    rows = [
        [side, f"+{v['weight']:g}", rule(v["id"]), md(v["message"])]
        for side in ("base", "instruct")
        for v in votes[side]["rules"]
    ]
    lines += _table(["side", "weight", "rule", "reason"], rows, "lrll")
    if d["undecided"]:
        waiting = ", ".join(rule(r) for r in d["undecided"])
        lines += [f"Could vote the other way once their missing facts are known: {waiting}.", ""]
    return lines


def _exceptions(report: dict[str, Any]) -> list[str]:
    lines = ["## The three exceptions (when base is right)", ""]
    rows = []
    for exc in report["decision"]["exceptions_considered"]:
        facts = "; ".join(f"{rule(k)} = {md(L.value(v))}" for k, v in exc["facts"].items())
        what = md(exc["message"] or exc.get("summary", ""))
        rows.append(
            [rule(exc["id"]), L.EXCEPTION_STATUS.get(exc["status"], exc["status"]), facts, what]
        )
    return lines + _table(["exception", "status", "on these facts", "what it means"], rows)


def _tax(report: dict[str, Any]) -> list[str]:
    tax = report["decision"]["alignment_tax"]
    lines = [f"## Alignment tax: {md(tax['level'])}", ""]
    if tax["reasons"]:
        lines += [
            f"- {rule(r['rule'])} ({md(r['level'])}): {md(r['message'])}" for r in tax["reasons"]
        ]
    else:
        lines.append("- No alignment-tax rule fired.")
    if tax.get("cost"):
        lines += ["", f"**What it costs:** {md(tax['cost'])}"]
    return lines + [""]


def _candidates(report: dict[str, Any]) -> list[str]:
    lines = [
        "## Candidates",
        "",
        "`*` marks a repo of the verdict's variant that passes every fit check.",
        "",
    ]
    head = (
        ["#", "repo"] + [title for _, title in L.COMPARED_FACTS] + ["allows", "checks", "outcome"]
    )
    rows = []
    for i, c in enumerate(report["candidates"], 1):
        licence = c.get("licence") or {}
        outcome = "recommended" if c["recommended"] else md(c["why_not"] or "")
        if c["repo_id"] == report["decision"]["repo"]:
            outcome = "**the pick**"
        if c["error"]:
            outcome = f"error: {md(c['error']['message'])}"
        rows.append(
            [f"{i}{'*' if c['recommended'] else ''}", md(c["repo_id"])]
            + [md(L.compared(c, name)) for name, _ in L.COMPARED_FACTS]
            + [md(licence.get("allows", "")), md(L.check_counts(c["counts"])), outcome]
        )
    lines += _table(head, rows, "ll" + "l" * len(L.COMPARED_FACTS) + "lll")
    for licence in report["licences"]:
        lines.append(f"- Licence {md(licence['id'])} ({md(L.value(licence['name']))}) conditions:")
        lines += [f"  - {md(cond)}" for cond in licence["conditions"]]
    return lines + ([""] if report["licences"] else [])


def _checks(report: dict[str, Any]) -> list[str]:
    candidates = report["candidates"]
    lines = [
        "## Fit checks",
        "",
        "One column per candidate (numbers as in the table above): pass, warn, FAIL, ? (a fact "
        "is unknown) or - (not asked: the spec sets no such constraint).",
        "",
    ]
    head = ["check", "kind"] + [str(i) for i in range(1, len(candidates) + 1)]
    by_rule = [{ch["rule"]: ch for ch in c["checks"]} for c in candidates]
    kinds = report.get("rules", {})
    rows = []
    for rule_id in L.check_ids(report):
        cells = [
            L.CHECK_MARK[L.check_state(checks[rule_id])] if rule_id in checks else ""
            for checks in by_rule
        ]
        kind = (kinds.get(rule_id) or {}).get("kind", "")
        rows.append([rule(rule_id), md(kind)] + cells)
    lines += _table(head, rows, "ll" + "c" * len(candidates))
    for i, c in enumerate(candidates, 1):
        flagged = [ch for ch in c["checks"] if L.check_state(ch) in ("warn", "fail")]
        if flagged:
            lines.append(f"{i}. {md(c['repo_id'])}")
            lines += [
                f"   - {L.CHECK_MARK[ch['status']]} {rule(ch['rule'])}: {md(ch['message'])}"
                for ch in flagged
            ]
    return lines + [""]


def _memory(report: dict[str, Any]) -> list[str]:
    model = report.get("memory_model") or {}
    gpu = model.get("gpu_memory_gb")
    method = model.get("method")
    lines = [
        "## Memory",
        "",
        f"Your GPU: {md(L.gb(gpu)) if gpu else 'not given (set training.gpu_memory_gb)'}; "
        f"your method: {md(L.METHOD_TITLE.get(method, method))}.",
        "",
    ]
    head = ["#", "repo", "params"] + [L.METHOD_TITLE[m] for m in L.METHODS]
    rows = []
    for i, c in enumerate(report["candidates"], 1):
        memory = c.get("memory") or {}
        cells = []
        for m in L.METHODS:
            entry = memory.get(m)
            cell = L.gb(entry["need_gb"]) if entry else "unknown"
            verdict = L.fits(entry)
            cell += f" ({verdict})" if verdict else ""
            cells.append(f"**{cell}**" if m == method else cell)
        rows.append([str(i), md(c["repo_id"]), md(L.compared(c, "params_b"))] + cells)
    lines += _table(head, rows, "lll" + "r" * len(L.METHODS))
    if model:
        lines += [f"Formula: `{model['formula']}`", ""]
        lines += [f"- {md(name)}: {md(text)}" for name, text in model["terms"].items()]
        chosen = _chosen_memory(report)
        if chosen and chosen.get("components"):
            parts = ", ".join(f"{k} {v:g} GB" for k, v in chosen["components"].items())
            lines += ["", f"Recommended repo, {md(method)}: {md(parts)}."]
            if chosen.get("largest_seq_len"):
                lines.append(f"Longest sequence that fits: {chosen['largest_seq_len']:,} tokens.")
            if chosen.get("fix"):
                lines.append(f"Does not fit: {md(chosen['fix'])}.")
        lines += ["", "Assumptions:", ""] + [f"- {md(a)}" for a in model["assumptions"]]
        lines += ["", "References:", ""] + [f"- {md(r)}" for r in model["references"]]
    return lines + [""]


def _chosen_memory(report: dict[str, Any]) -> dict[str, Any] | None:
    """The memory entry of the recommended repo for the chosen method."""
    method = (report.get("memory_model") or {}).get("method")
    for c in report["candidates"]:
        if c["repo_id"] == report["decision"]["repo"]:
            return (c.get("memory") or {}).get(method)
    return None


def _advice(report: dict[str, Any]) -> list[str]:
    repo = report["decision"]["repo"]
    lines = ["## Pitfalls and next steps", ""]
    if repo:
        notes = report["decision"]["pick_notes"]
        lines += [f"For {md(repo)}:", ""]
        lines += [f"- {rule(n['rule'])}: {md(n['message'])}" for n in notes] or ["- none flagged"]
        lines.append("")
    lines += ["Next steps:", ""]
    lines += [f"{i}. {md(step)}" for i, step in enumerate(report["next_steps"], 1)]
    return lines + [""]


def _facts(report: dict[str, Any]) -> list[str]:
    lines = ["## Facts: missing, and where each came from", ""]
    missing = report["missing_facts"]
    if missing:
        rows = [
            [
                rule(m["fact"]),
                md(m["candidate"] or "the task"),
                ", ".join(rule(r) for r in m["rules"]),
            ]
            for m in missing
        ]
        lines += ["Unknown facts (unknown stays unknown; these rules could not decide):", ""]
        lines += _table(["fact", "for", "rules waiting on it"], rows)
    else:
        lines += ["No fact was missing.", ""]
    u = report["task"]["understanding"]
    lines += [f"Task kind: {md(u['kind_source'])} from the spec or its description.", ""]
    for c in report["candidates"]:
        lines += ["<details>", f"<summary>{md(c['repo_id'])}: facts and sources</summary>", ""]
        rows = [
            [rule(name), md(L.value(f["value"])), md(f["source"])] for name, f in c["facts"].items()
        ]
        lines += _table(["fact", "value", "source"], rows)
        if c.get("sources"):
            lines += ["Catalog entry sources:", ""] + [f"- {md(s)}" for s in c["sources"]] + [""]
        lines += ["</details>", ""]
    version = md(report.get("advisor_version", ""))
    lines += [f"<sub>advisor {version}, report schema {report['schema_version']}</sub>", ""]
    return lines
