"""The terminal page: one screen by default, every rule, clause and fact with --explain.

Render only: every number, state, count and selection comes from the JSON form. Every line goes
through labels.terminal() before colour is added, so no control character from metadata
reaches the terminal raw.
"""

from __future__ import annotations

import textwrap
from typing import Any

from advisor.report import labels as L

WIDTH = 100
MARK = {"pass": "ok", "warn": "WARN", "fail": "FAIL", "unknown": "?", "not-asked": "-"}
COLOUR = {"WARN": "33", "FAIL": "31;1", "Verdict:": "1"}


def render(report: dict[str, Any], options: Any = None) -> str:
    explain = bool(options and options.explain)
    lines = _full(report) if explain else _page(report)
    out = [L.terminal(line) for line in lines]
    if options and options.colour:
        out = [_paint(line) for line in out]
    return "\n".join(out) + "\n"


def _paint(line: str) -> str:
    """Colour the leading marker of a line (after escaping: only our own codes are raw)."""
    for word, code in COLOUR.items():
        stripped = line.lstrip()
        if stripped.startswith(word):
            pad = line[: len(line) - len(stripped)]
            return f"{pad}\x1b[{code}m{word}\x1b[0m{stripped[len(word) :]}"
    return line


def _wrap(text: str, indent: str = "  ", first: str | None = None) -> list[str]:
    return textwrap.wrap(
        text,
        WIDTH,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent + "  ",
        break_on_hyphens=False,
    ) or [first or indent]


def _verdict(report: dict[str, Any]) -> list[str]:
    d = report["decision"]
    votes = d["votes"]
    close = "  CLOSE CALL: fine-tune both and compare" if d["close_call"] else ""
    return [
        f"Verdict: {d['variant'].upper()} - {d['summary']} "
        f"Start from: {d['repo'] or 'none (no candidate passes every fit check)'}",
        f"  confidence {d['confidence']} (votes: base {votes['base']['total']:g}, "
        f"instruct {votes['instruct']['total']:g}){close}",
    ]


def _understood(report: dict[str, Any]) -> list[str]:
    task = report["task"]
    if not task.get("understood", True):
        return _wrap(f"understood: nothing. {task['hint']}")
    read = [
        f"{name}={L.value(f['value'])} ('{f['from']}')"
        for name, f in task.get("facts", {}).items()
        if f["origin"] == "inferred" and not name.startswith("task.")
    ]
    lines = _wrap(f"read from the text: {'; '.join(read)}") if read else []
    against = task["understanding"].get("against") or []
    if against:
        said = "; ".join(f"'{a['matched']}' ({a['against']})" for a in against)
        lines += _wrap(f"negated, counted against: {said}")
    changes = report["decision"].get("what_would_change") or []
    if changes:
        more = f" (+{len(changes) - 1} more in --format json)" if len(changes) > 1 else ""
        lines.append(f"  what would change it: {changes[0]['summary']}{more}")
    return lines


def _task(report: dict[str, Any]) -> list[str]:
    u = report["task"]["understanding"]
    spec = report["task"]["spec"]
    lines = _wrap(f"Task: {spec['task']['description']}", first="")
    lines += _wrap(
        f"kind {L.value(u['kind'])} ({u['kind_source']})"
        + "".join(
            f"; {name} {L.value(u[name])}" for name in ("signals", "domains", "style") if u[name]
        )
    )
    lines += _understood(report)
    ds = report.get("dataset")
    if ds:
        lines.append(
            f"  data {ds['path']}: {L.value(ds['rows'])} rows, format "
            f"{ds['format'] or 'mixed/unknown'}, longest ~{L.value(ds['max_tokens'])} tokens "
            f"({ds['token_method']})"
        )
        for note in ds.get("disagreements", []) + ds.get("warnings", []):
            lines += _wrap(f"note: {note}")
        if ds.get("malformed_count"):
            first = ", ".join(f"line {m['line']}: {m['reason']}" for m in ds["malformed"])
            lines += _wrap(f"{ds['malformed_count']} malformed rows skipped ({first})")
    return lines


def _exceptions(report: dict[str, Any], explain: bool) -> list[str]:
    lines = []
    for exc in report["decision"]["exceptions_considered"]:
        status = L.EXCEPTION_STATUS.get(exc["status"], exc["status"])
        line = f"  {exc['id']:<22} {status}"
        if explain:
            known = ", ".join(f"{k}={L.value(v)}" for k, v in exc["facts"].items() if v is not None)
            line += f"  {known or 'no facts known'}"
        lines += _wrap(line.rstrip(), indent="", first="") if explain else [line]
    return lines


def _tax(report: dict[str, Any], explain: bool) -> list[str]:
    tax = report["decision"]["alignment_tax"]
    rules = ", ".join(r["rule"] for r in tax["reasons"])
    lines = _wrap(
        f"Alignment tax: {tax['level']}{f' [{rules}]' if rules else ''} - {tax['cost']}", first=""
    )
    if explain:
        for reason in tax["reasons"]:
            lines += _wrap(f"[{reason['rule']}] {reason['message']}")
    return lines


def _number(report: dict[str, Any]) -> dict[str, int]:
    """Candidate numbers as every format shows them: the position in the candidate list."""
    return {c["repo_id"]: i for i, c in enumerate(report["candidates"], 1)}


def _memory_cell(cand: dict[str, Any], method: str) -> str:
    entry = (cand.get("memory") or {}).get(method)
    if not entry:
        return "unknown"
    fits = {True: " ok", False: " OVER"}.get(entry["fits_gpu"], "")
    if entry.get("verdict") == "tight":
        fits = " tight"
    floor = ">" if entry.get("partial") else ""  # dimensions unknown: a lower bound
    return f"{floor}{L.value(entry['need_gb'])}{fits}"


def _table(report: dict[str, Any]) -> list[str]:
    model = report["memory_model"]
    method = model["method"]
    gpu = model["gpu_memory_gb"]
    budget = f"your GPU {L.gb(gpu)}" if gpu else "no GPU given"
    title = L.METHOD_TITLE.get(method, method)
    number = _number(report)
    by_id = {c["repo_id"]: c for c in report["candidates"]}
    shown = report["shortlist"]
    # Columns as wide as their longest cell, so a row fits 100 columns whenever it can.
    rw = max([len(r) for r in shown] + [4])
    lw = max([len(L.compared(by_id[r], "license")) for r in shown] + [7])
    lines = [
        f"Candidates (* recommended; checks pass/warn/fail ?unknown -not asked; {budget}):",
        f"  {'#':<3} {'repo':<{rw}} {'variant':<8} {'licence':<{lw}} {'params':>6} {'context':>7} "
        f"{title + ' GB':>9} {'checks':>13}",
    ]
    for repo in shown:
        c = by_id[repo]
        n = c["counts"]
        counts = f"{n['pass']}/{n['warn']}/{n['fail']}"
        counts += f" ?{n['unknown']}" if n["unknown"] else ""
        counts += f" -{n['not-asked']}" if n["not-asked"] else ""
        mark = "*" if c["recommended"] else " "
        lines.append(
            f"  {str(number[repo]) + mark:<3} {repo:<{rw}} {L.compared(c, 'variant'):<8} "
            f"{L.compared(c, 'license'):<{lw}} {L.compared(c, 'params_b'):>6} "
            f"{L.compared(c, 'context_length'):>7} {_memory_cell(c, method):>9} {counts:>13}"
        )
        if c["error"]:
            lines += _wrap(f"error: {c['error']['message']}", indent="      ")
    hidden = len(report["candidates"]) - len(shown)
    if hidden:
        lines.append(f"  ... and {hidden} more candidates (--explain lists every one)")
    return lines


def _warnings(report: dict[str, Any]) -> list[str]:
    if not report["warnings"]:
        return []
    number = _number(report)
    lines = ["Warnings (each once, with the candidates it applies to):"]
    for w in report["warnings"]:
        which = ", ".join(str(number[r]) for r in w["candidates"])
        lines += _wrap(f"{MARK[w['state']]} [{w['rule']}] ({which}) {w['summary']}")
    return lines


def _page(report: dict[str, Any]) -> list[str]:
    d = report["decision"]
    lines = _verdict(report) + _task(report) + ["", "Why:"]
    fired = {v["id"]: (side, v) for side in ("base", "instruct") for v in d["votes"][side]["rules"]}
    for rule_id in d["reasons"]:
        side, vote = fired[rule_id]
        summary = report["rules"][rule_id]["summary"]
        lines += _wrap(f"+{vote['weight']:g} {side} [{rule_id}] {summary}")
    if d["undecided"]:
        lines += _wrap(f"undecided (missing facts): {', '.join(d['undecided'])}")
    lines += ["Exceptions (base is right when one fires):"] + _exceptions(report, False)
    lines += _tax(report, False) + [""] + _table(report) + _warnings(report)
    steps = report["next_steps"]
    if steps:
        lines += [""] + _wrap(steps[0], first="Next step: ")
    more = f"{len(steps) - 1} more next steps, " if len(steps) > 1 else ""
    lines.append(f"({more}every rule, clause and fact: --explain; a report: --format html)")
    return lines


def _full(report: dict[str, Any]) -> list[str]:
    """Every rule, clause and fact: the trace a reviewer checks the verdict against."""
    d = report["decision"]
    lines = _verdict(report) + [""] + _task(report) + ["", "Why:"]
    for side in ("base", "instruct"):
        for vote in d["votes"][side]["rules"]:
            lines += _wrap(f"+{vote['weight']:g} {side:<8} [{vote['id']}] {vote['message']}")
    if d["undecided"]:
        lines += _wrap(f"undecided (missing facts): {', '.join(d['undecided'])}")
    lines += ["", "Exceptions considered:"] + _exceptions(report, True)
    lines += [""] + _tax(report, True) + [""] + _table(report)
    method = report["memory_model"]["method"]
    lines += ["", "Candidates in full:"]
    for i, c in enumerate(report["candidates"], 1):
        lines += [
            f"  {i}. {c['repo_id']}  {L.compared(c, 'variant')} | licence "
            f"{L.compared(c, 'license')} ({c['licence']['allows']}) | checks "
            f"{L.check_counts(c['counts'])}",
        ]
        if c["why_not"]:
            lines += _wrap(f"not chosen: {c['why_not']}", indent="      ")
        entry = (c.get("memory") or {}).get(method)
        if entry:
            lines += _wrap(f"memory: {entry['formula']}", indent="      ")
        for check in c["checks"]:
            if check["message"]:
                lines += _wrap(
                    f"{MARK[check['state']]:<4} [{check['rule']}] {check['message']}",
                    indent="      ",
                )
        lines.append("      facts:")
        for name, fact in c["facts"].items():
            lines += _wrap(
                f"{name} = {L.value(fact['value'])}  ({fact['source']})", indent="        "
            )
        if c["sources"]:
            lines += _wrap("catalog sources: " + "; ".join(c["sources"]), indent="        ")
    for licence in report["licences"]:
        lines += ["", f"Licence {licence['id']} ({L.value(licence['name'])}) conditions:"]
        lines += [x for cond in licence["conditions"] for x in _wrap(f"- {cond}")]
    lines += ["", "Trace (every rule, every clause: expected, actual, passed):"]
    for entry in report["trace"]:
        who = f" for {entry['candidate']}" if entry.get("candidate") else ""
        lines.append(f"  [{entry['id']}] {entry['kind']} {entry['status']}{who}")
        for clause in entry["clauses"]:
            lines += _wrap(
                f"{clause['fact']} {clause['op']} {L.value(clause['expected'])}: actual "
                f"{L.value(clause['actual'])} -> {L.value(clause['passed'])}",
                indent="      ",
            )
    if report["next_steps"]:
        lines += ["", "Next steps:"]
        lines += [x for step in report["next_steps"] for x in _wrap(f"- {step}")]
    missing = report["missing_facts"]
    if missing:
        lines += ["", f"Missing facts ({len(missing)}; unknown stays unknown):"]
        for m in missing:
            lines += _wrap(
                f"{m['fact']} for {m['candidate'] or 'the task'}: rules {', '.join(m['rules'])}"
            )
    return lines
