"""The terminal page: one screen by default, every rule, clause and fact with --explain.

Render only: every number, state, count and selection comes from the JSON form. Every line goes
through labels.terminal() before colour is added, so no control character from metadata
reaches the terminal raw.
"""

from __future__ import annotations

import textwrap
from typing import Any

from advisor.report import labels as L
from advisor.report.document import Markup, sections

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
    lines = [
        f"Verdict: {d['variant'].upper()} - {d['summary']} "
        f"Start from: {d['repo'] or 'none (no candidate passes every fit check)'}",
        f"  confidence {d['confidence']} (votes: base {votes['base']['total']:g}, "
        f"instruct {votes['instruct']['total']:g}){close}",
    ]
    if d.get("pick_reason"):
        lines += _wrap(f"Why this repo: {d['pick_reason']}")
    pick = next((c for c in report["candidates"] if c["repo_id"] == d["repo"]), None)
    flagged = (
        {ch["rule"] for ch in pick["checks"] if ch["state"] in ("warn", "fail")} if pick else ()
    )
    for note in d["pick_notes"]:  # what to do about the pick's own warnings (rope scaling...)
        if note["rule"] in flagged:
            lines += _wrap(f"For {d['repo']}: [{note['rule']}] {note['message']}")
    return lines


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


def _exceptions(report: dict[str, Any]) -> list[str]:
    return [
        f"  {exc['id']:<22} {L.EXCEPTION_STATUS.get(exc['status'], exc['status'])}"
        for exc in report["decision"]["exceptions_considered"]
    ]


def _tax(report: dict[str, Any]) -> list[str]:
    tax = report["decision"]["alignment_tax"]
    rules = ", ".join(r["rule"] for r in tax["reasons"])
    return _wrap(
        f"Alignment tax: {tax['level']}{f' [{rules}]' if rules else ''} - {tax['cost']}", first=""
    )


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


def _counts_cell(c: dict[str, Any]) -> str:
    n = c["counts"]
    cell = f"{n['pass']}/{n['warn']}/{n['fail']}"
    cell += f" ?{n['unknown']}" if n["unknown"] else ""
    return cell + (f" -{n['not-asked']}" if n["not-asked"] else "")


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
    ranking = report["decision"]["ranking"]
    counts = {r: _counts_cell(by_id[r]) for r in shown}
    cw = max([len(x) for x in counts.values()] + [6])
    mw = max([len(_memory_cell(by_id[r], method)) for r in shown] + [len(title) + 3])
    lines = _wrap(
        f"Candidates (* its family's recommended variant, best first; checks pass/warn/fail "
        f"?unknown -not asked; pts: the pick's score, % of what could be checked; {budget}):",
        first="",
    )
    nw = max(len(f"{number[r]}*") for r in shown) if shown else 2
    lines.append(
        f"  {'#':<{nw}} {'repo':<{rw}} {'variant':<8} {'licence':<{lw}} {'params':>6} "
        f"{'context':>7} {title + ' GB':>{mw}} {'pts':>4} {'checks':>{cw}}"
    )
    scores = {
        r["repo_id"]: f"{100 * r['score'] / r['out_of']:.0f}%" if r["out_of"] else "-"
        for r in ranking
    }
    for repo in shown:
        c = by_id[repo]
        mark = "*" if c["recommended"] else " "
        lines.append(
            f"  {str(number[repo]) + mark:<{nw}} {repo:<{rw}} {L.compared(c, 'variant'):<8} "
            f"{L.compared(c, 'license'):<{lw}} {L.compared(c, 'params_b'):>6} "
            f"{L.compared(c, 'context_native'):>7} {_memory_cell(c, method):>{mw}} "
            f"{scores.get(repo, '-'):>4} {counts[repo]:>{cw}}"
        )
        if c["error"]:
            lines += _wrap(f"error: {c['error']['message']}", indent="      ")
    hidden = len(report["candidates"]) - len(shown)
    if hidden:
        lines.append(f"  ... and {hidden} more candidates (--explain lists every one)")
    return lines


def _ranking(report: dict[str, Any]) -> list[str]:
    """The pick's score per criterion (knowledge/pick_criteria.yaml), best first."""
    ranking = report["decision"]["ranking"]
    if not ranking:
        return []
    lines = ["", "Ranking (pick criteria; state and points per criterion, best first):"]
    for r in ranking:
        parts = ", ".join(
            f"{cid} {c['state']}" + (f" {c['points']:g}" if c["points"] is not None else "")
            for cid, c in r["criteria"].items()
        )
        tie = f"; tie with {', '.join(r['tie_with'])}" if r["tie_with"] else ""
        lines += _wrap(
            f"{r['rank']}. {r['repo_id']} {r['score']:g}/{r['out_of']:g} ({parts}; "
            f"{r['unknown_checks']} unknown checks{tie})"
        )
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
    lines += ["Exceptions (base is right when one fires):"] + _exceptions(report)
    lines += _tax(report) + [""] + _table(report) + _warnings(report)
    steps = report["next_steps"]
    if steps:
        lines += [""] + _wrap(steps[0], first="Next step: ")
    more = f"{len(steps) - 1} more next steps, " if len(steps) > 1 else ""
    lines.append(f"({more}every rule, clause and fact: --explain; a report: --format html)")
    return lines


class Plain(Markup):
    """The report's document as plain terminal text (the --explain page)."""

    def text(self, value: Any) -> str:
        return str(value)

    code = text

    def bold(self, fragment: str) -> str:
        return fragment

    def mark(self, css: str, fragment: str) -> str:
        return fragment

    def heading(self, level: int, title: Any) -> str:
        return f"{title}\n{'=-~'[min(level, 3) - 1] * min(len(str(title)), WIDTH)}"

    def para(self, fragment: str) -> str:
        return "\n".join(_wrap(fragment, indent="", first=""))

    def items(self, fragments: list[Any], ordered: bool = False) -> str:
        lines = []
        for i, item in enumerate(fragments, 1):
            text, sub = item if isinstance(item, tuple) else (item, [])
            lines += _wrap(text, first=f"{i}. " if ordered else "- ")
            lines += [x for note in sub for x in _wrap(note, indent="    ", first="  - ")]
        return "\n".join(lines)

    def table(self, head: list[str], rows: list[list[Any]], align: str = "", pick: int = 0) -> str:
        cells = [head] + [[c[1] if isinstance(c, tuple) else c for c in row] for row in rows]
        widths = [max(len(row[i]) for row in cells) for i in range(len(head))]
        return "\n".join(
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in cells
        )

    def details(self, summary: str, blocks: list[str], opened: bool) -> str:
        return "\n".join([summary + ":", *blocks])

    def verdict(self, variant: str, lines: list[str]) -> str:
        return "\n".join(lines)

    def chart(self, report: dict[str, Any]) -> str:
        return ""

    def footer(self, fragment: str) -> str:
        return fragment


def _full(report: dict[str, Any]) -> list[str]:
    """Every rule, clause and fact: the whole document, as text."""
    return "\n\n".join(sections(report, Plain())).splitlines()
