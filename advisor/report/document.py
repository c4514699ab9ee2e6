"""The model-selection report's sections, written once for every document format.

A section says what to show; a `Markup` (markdown.py, html.py) says how. Both read the
Recommendation's JSON form only. Markup methods named after inline things (text, code, bold,
mark) return escaped fragments; the others build blocks from fragments.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from advisor.report import labels as L

Cell = Any  # a fragment, or (css class, fragment)


class Markup:
    def text(self, value: Any) -> str: ...
    def code(self, value: Any) -> str: ...
    def heading(self, level: int, title: Any) -> str: ...  # plain text, escaped here
    def para(self, fragment: str) -> str: ...
    def items(self, fragments: list[Any], ordered: bool = False) -> str: ...
    def table(
        self, head: list[str], rows: list[list[Cell]], align: str = "", pick: int = 0
    ) -> str: ...
    def details(self, summary: str, blocks: list[str], opened: bool) -> str: ...
    def verdict(self, variant: str, lines: list[str]) -> str: ...

    # A format without such markup writes the fragment as it is, and no chart (the memory
    # table carries the numbers; the chart is the HTML page's).
    def bold(self, fragment: str) -> str:
        return fragment

    def mark(self, css: str, fragment: str) -> str:
        return fragment

    def chart(self, report: dict[str, Any]) -> str:
        return ""

    def footer(self, fragment: str) -> str:
        return fragment


def sections(report: dict[str, Any], m: Markup) -> list[str]:
    order: list[Callable[[dict[str, Any], Markup], list[str]]] = [
        _header, _decision, _what_would_change, _understanding, _exceptions, _tax, _candidates,
        _chart, _licences, _checks, _memory, _advice, _facts, _trace,
    ]  # fmt: skip
    return [block for section in order for block in section(report, m) if block]


def _header(report: dict[str, Any], m: Markup) -> list[str]:
    d, spec = report["decision"], report["task"]["spec"]
    u = report["task"]["understanding"]
    repo = m.code(d["repo"]) if d["repo"] else m.text("none: no candidate passes every fit check")
    lines = [
        m.bold(m.text(f"Verdict: {d['variant'].upper()}.")) + " " + m.text(d["summary"]),
        f"Start from {m.bold(repo)} (confidence {m.text(d['confidence'])}).",
    ]
    if d.get("pick_reason"):
        lines.append("Why this repo: " + m.text(d["pick_reason"]))
    if d["close_call"]:
        lines.append(m.bold("Close call:") + " fine-tune both variants and compare them.")
    facts = [f"kind {m.text(L.value(u['kind']))} ({m.text(u['kind_source'])})"]
    facts += [
        f"{name} {m.text(L.value(u[name]))}" for name in ("signals", "domains", "style") if u[name]
    ]
    data, training = spec["data"], spec["training"]
    facts.append(
        m.text(
            f"data: format {L.value(data['format'])}, {L.value(data['examples'])} examples, "
            f"longest {L.value(data['max_tokens'])} tokens"
        )
    )
    if ds := report.get("dataset"):
        facts.append(f"training file {m.code(ds['path'])}: " + m.text(L.dataset_line(ds)))
    gpu = L.gb(training["gpu_memory_gb"]) if training["gpu_memory_gb"] else "GPU not given"
    facts.append(
        m.text(f"training: {L.METHOD_TITLE.get(training['method'], training['method'])}, {gpu}")
    )
    return [
        m.heading(1, "Model-selection report"),
        m.verdict(d["variant"], lines),
        m.para(m.bold("Task:") + " " + m.text(spec["task"]["description"])),
        m.items(facts),
    ]


def _decision(report: dict[str, Any], m: Markup) -> list[str]:
    d = report["decision"]
    votes = d["votes"]
    rows = [
        [m.text(side), ("num", f"+{v['weight']:g}"), m.code(v["id"]), m.text(v["message"])]
        for side in ("base", "instruct")
        for v in votes[side]["rules"]
    ]
    out = [
        m.heading(2, "Decision"),
        m.para(
            f"Votes: base {m.bold(format(votes['base']['total'], 'g'))}, instruct "
            f"{m.bold(format(votes['instruct']['total'], 'g'))} (score {d['score']:g}). The "
            "verdict is the sum of the rules that fired:"
        ),
        m.table(["side", "weight", "rule", "reason"], rows, "lrll"),
    ]
    if d["undecided"]:
        waiting = ", ".join(m.code(r) for r in d["undecided"])
        out.append(
            m.para(f"Could vote the other way once their missing facts are known: {waiting}.")
        )
    return out


def _what_would_change(report: dict[str, Any], m: Markup) -> list[str]:
    changes = report["decision"].get("what_would_change") or []
    items = [f"{m.text(c['summary'])} ({m.text(c['effect'])})" for c in changes]
    none = m.para(m.text("No single or paired change of the facts you state flips it."))
    return [m.heading(2, "What would change the verdict"), m.items(items) if items else none]


def _understanding(report: dict[str, Any], m: Markup) -> list[str]:
    task = report["task"]
    out = [m.heading(2, "What advisor understood")]
    if not task.get("understood", True):
        out.append(m.para(m.bold("Nothing was understood.") + " " + m.text(task["hint"])))
    rows = [
        [
            m.code(name),
            m.text(L.value(f["value"])),
            m.text(f["origin"]),
            m.text(f.get("from") or ""),
        ]
        for name, f in task.get("facts", {}).items()
    ]
    out.append(m.table(["fact", "value", "origin", "from your words"], rows))
    if against := task["understanding"].get("against"):
        out.append(m.para(m.text("Negated, so counted against:")))
        out.append(m.items([m.text(f'"{a["matched"]}" ({a["against"]})') for a in against]))
    return out


def _exceptions(report: dict[str, Any], m: Markup) -> list[str]:
    rows = []
    for exc in report["decision"]["exceptions_considered"]:
        facts = "; ".join(f"{m.code(k)} = {m.text(L.value(v))}" for k, v in exc["facts"].items())
        css = {"fired": "fail", "silent": "pass"}.get(exc["status"], "unknown")
        status = m.text(L.EXCEPTION_STATUS.get(exc["status"], exc["status"]))
        rows.append(
            [m.code(exc["id"]), (css, status), facts, m.text(exc["message"] or exc["summary"])]
        )
    return [
        m.heading(2, "The three exceptions (when base is right)"),
        m.table(["exception", "status", "on these facts", "what it means"], rows),
    ]


def _tax(report: dict[str, Any], m: Markup) -> list[str]:
    tax = report["decision"]["alignment_tax"]
    reasons = [
        f"{m.code(r['rule'])} ({m.text(r['level'])}): {m.text(r['message'])}"
        for r in tax["reasons"]
    ]
    return [
        m.heading(2, f"Alignment tax: {tax['level']}"),
        m.items(reasons or ["No alignment-tax rule fired."]),
        m.para(m.bold("What it costs:") + " " + m.text(tax["cost"])),
    ]


def _candidates(report: dict[str, Any], m: Markup) -> list[str]:
    head = ["#", "repo"] + [t for _, t in L.COMPARED_FACTS] + ["allows", "checks", "outcome"]
    rows, pick = [], 0
    for i, c in enumerate(report["candidates"], 1):
        outcome = m.text("recommended" if c["recommended"] else c["why_not"] or "")
        if c["repo_id"] == report["decision"]["repo"]:
            outcome, pick = m.bold("the pick"), i
        if c["error"]:
            outcome = m.mark("fail", "error:") + " " + m.text(c["error"]["message"])
        rows.append(
            [m.text(f"{i}{'*' if c['recommended'] else ''}"), m.code(c["repo_id"])]
            + [m.text(L.compared(c, name)) for name, _ in L.COMPARED_FACTS]
            + [m.text(c["licence"]["allows"]), m.text(L.check_counts(c["counts"])), outcome]
        )
    return [
        m.heading(2, "Candidates"),
        m.para(m.text("* marks a repo of the verdict's variant that passes every fit check.")),
        m.table(head, rows, pick=pick),
    ]


def _chart(report: dict[str, Any], m: Markup) -> list[str]:
    chart = m.chart(report)
    return [m.heading(2, "Memory needed vs your GPU"), chart] if chart else []


def _licences(report: dict[str, Any], m: Markup) -> list[str]:
    out = []
    for licence in report["licences"]:
        title = f"Licence {licence['id']} ({L.value(licence['name'])}): conditions"
        out += [m.heading(3, title), m.items([m.text(c) for c in licence["conditions"]])]
    return [m.heading(2, "Licence conditions")] + out if out else []


def _checks(report: dict[str, Any], m: Markup) -> list[str]:
    candidates = report["candidates"]
    by_rule = [{ch["rule"]: ch["state"] for ch in c["checks"]} for c in candidates]
    rows = []
    for rule_id in L.check_ids(report):
        cells: list[Cell] = [m.code(rule_id), m.text(report["rules"][rule_id]["kind"])]
        for state in (states.get(rule_id, "") for states in by_rule):
            cells.append(("mark " + state, m.text(L.CHECK_MARK.get(state, ""))))
        rows.append(cells)
    flagged = []
    for i, c in enumerate(candidates, 1):
        notes = [
            m.mark(ch["state"], m.text(L.CHECK_MARK[ch["state"]]))
            + f" {m.code(ch['rule'])}: {m.text(ch['message'])}"
            for ch in c["checks"]
            if ch["state"] in ("warn", "fail")
        ]
        if notes:
            flagged.append((f"{i}. {m.code(c['repo_id'])}", notes))
    head = ["check", "kind"] + [str(i) for i in range(1, len(candidates) + 1)]
    return [
        m.heading(2, "Fit checks"),
        m.para(
            m.text(
                "One column per candidate (numbers as in the candidate table): pass, warn, FAIL, "
                "? (a fact is unknown) or - (not asked: the spec sets no such constraint)."
            )
        ),
        m.table(head, rows, "ll" + "c" * len(candidates)),
        m.items(flagged) if flagged else "",
    ]


def _memory(report: dict[str, Any], m: Markup) -> list[str]:
    model = report["memory_model"]
    gpu, method = model["gpu_memory_gb"], model["method"]
    rows = []
    chosen: dict[str, Any] = {}  # the recommended repo's memory for the chosen method
    for i, c in enumerate(report["candidates"], 1):
        memory = c["memory"] or {}
        if c["repo_id"] == report["decision"]["repo"]:
            chosen = memory.get(method) or {}
        cells: list[Cell] = [m.text(i), m.code(c["repo_id"]), m.text(L.compared(c, "params_b"))]
        for name in L.METHODS:
            entry = memory.get(name)
            cell = m.text(L.gb(entry["need_gb"]) if entry else "unknown")
            if L.fits(entry):
                cell += " " + m.mark("pass" if entry["fits_gpu"] else "fail", f"({L.fits(entry)})")
            cells.append(("num", m.bold(cell) if name == method else cell))
        rows.append(cells)
    terms = [f"{m.text(name)}: {m.text(text)}" for name, text in model["terms"].items()]
    pick = []
    if chosen.get("components"):
        parts = ", ".join(f"{k} {v:g} GB" for k, v in chosen["components"].items())
        pick.append(f"Recommended repo, {method}: {parts}.")
        if chosen.get("largest_seq_len"):
            pick.append(f"Longest sequence that fits: {chosen['largest_seq_len']:,} tokens.")
        if chosen.get("fix"):
            pick.append(f"Does not fit: {chosen['fix']}.")
    given = L.gb(gpu) if gpu else "not given (set training.gpu_memory_gb)"
    return [
        m.heading(2, "Memory per method"),
        m.para(m.text(f"Your GPU: {given}; your method: {L.METHOD_TITLE.get(method, method)}.")),
        m.table(
            ["#", "repo", "params"] + [L.METHOD_TITLE[k] for k in L.METHODS], rows, "lll" + "r" * 3
        ),
        m.para(f"Formula: {m.code(model['formula'])}"),
        m.items(terms),
        *[m.para(m.text(line)) for line in pick],
        m.para("Assumptions:"),
        m.items([m.text(a) for a in model["assumptions"]]),
        m.para("References:"),
        m.items([m.text(r) for r in model["references"]]),
    ]


def _advice(report: dict[str, Any], m: Markup) -> list[str]:
    d = report["decision"]
    out = [m.heading(2, "Pitfalls and next steps")]
    if d["repo"]:
        notes = [f"{m.code(n['rule'])}: {m.text(n['message'])}" for n in d["pick_notes"]]
        out += [m.para(f"For {m.code(d['repo'])}:"), m.items(notes or ["none flagged"])]
    return out + [m.para("Next steps:"), m.items([m.text(s) for s in report["next_steps"]], True)]


def _facts(report: dict[str, Any], m: Markup) -> list[str]:
    out = [m.heading(2, "Facts: missing, and where each came from")]
    if missing := report["missing_facts"]:
        rows = [
            [
                m.code(x["fact"]),
                m.text(x["candidate"] or "the task"),
                ", ".join(m.code(r) for r in x["rules"]),
            ]
            for x in missing
        ]
        note = m.text("Unknown facts (unknown stays unknown; these rules could not decide):")
        out += [m.para(note), m.table(["fact", "for", "rules waiting on it"], rows)]
    else:
        out.append(m.para("No fact was missing."))
    for c in report["candidates"]:
        rows = [
            [m.code(n), m.text(L.value(f["value"])), m.text(L.provenance(f))]
            for n, f in c["facts"].items()
        ]
        blocks = [m.table(["fact", "value", "source"], rows)]
        if c["sources"]:
            blocks += [m.para("Catalog entry sources:"), m.items([m.text(s) for s in c["sources"]])]
        # The pick's facts stay open so a printout carries them; the rest fold away.
        opened = c["repo_id"] == report["decision"]["repo"]
        out.append(m.details(m.text(f"{c['repo_id']}: facts and sources"), blocks, opened))
    return out


def _trace(report: dict[str, Any], m: Markup) -> list[str]:
    rows = [
        [m.code(e["id"]), m.text(e.get("candidate") or "the task"), m.text(e["status"])]
        + [
            "; ".join(
                f"{m.code(c['fact'])} {m.text(c['op'])} {m.text(L.value(c['expected']))}: "
                f"{m.text(L.value(c['actual']))} -> {m.text(L.value(c['passed']))}"
                for c in e["clauses"]
            )
        ]
        for e in report["trace"]
    ]
    table = m.table(["rule", "for", "status", "clauses: expected: actual -> passed"], rows)
    version = f"advisor {report['advisor_version']}, report schema {report['schema_version']}"
    summary = m.text("Trace: every rule, clause by clause")
    return [m.details(summary, [table], False), m.footer(m.text(version))]
