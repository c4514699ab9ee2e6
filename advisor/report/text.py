"""The terminal page: one screen by default, every rule, clause and fact with --explain.

Render only: every number, state, count and selection comes from the JSON form. Untrusted
text is escaped (labels.terminal) before anything is measured or wrapped, so no control
character from metadata reaches the terminal raw and widths are what the terminal shows.

The page fits PAGE lines of WIDTH columns: the parts that can give up lines (the task's
details, table rows, the warnings that may go, long notes) shrink in a fixed order, and a cut
always says so: "… and 6 more warnings: --explain", or a line ending in "…".
"""

from __future__ import annotations

from typing import Any

from advisor.report import labels as L
from advisor.report.document import Markup, sections

WIDTH = 100
PAGE = 40
COLOUR = {"WARN": "33", "FAIL": "31;1", "Verdict:": "1"}
FULL = 99  # lines: an item not cut


def render(report: dict[str, Any], options: Any = None) -> str:
    if L.has_controls(report):  # else (the usual case) nothing to escape: no copy of the report
        report = _escaped(report)
    if options and options.explain:  # every rule, clause and fact: the whole document, as text
        lines = "\n\n".join(sections(report, Plain())).splitlines()
    else:
        lines = _page(report)
    out = [L.terminal(line) for line in lines]  # our own text too: nothing raw gets through
    if options and options.colour:
        out = [_paint(line) for line in out]
    return "\n".join(out) + "\n"


def _escaped(value: Any) -> Any:
    if isinstance(value, str):
        return L.terminal(value)
    if isinstance(value, dict):
        return {L.terminal(k): _escaped(v) for k, v in value.items()}
    return [_escaped(v) for v in value] if isinstance(value, list) else value


def _paint(line: str) -> str:
    """Colour the leading marker of a line (after escaping: only our own codes are raw)."""
    for word, code in COLOUR.items():
        stripped = line.lstrip()
        if stripped.startswith(word):
            pad = line[: len(line) - len(stripped)]
            return f"{pad}\x1b[{code}m{word}\x1b[0m{stripped[len(word) :]}"
    return line


def _width(text: str) -> int:
    """Columns as UTF-8 bytes: never fewer than a terminal shows (a CJK character is 3 bytes,
    2 columns), and what a byte-counting `awk length` measures."""
    return len(text.encode("utf-8", "replace"))


def _cut(text: str, width: int) -> str:
    """The longest start of text that fits `width`."""
    return text.encode("utf-8", "replace")[:width].decode("utf-8", "ignore")


def _wrap(text: str, indent: str = "  ", first: str | None = None) -> list[str]:
    """Lines of at most WIDTH, broken at spaces (a word longer than a line is cut)."""
    lines, line, rest = [], indent if first is None else first, indent + "  "
    fresh = True  # nothing of the text on this line yet
    for word in text.split():
        joined = line + ("" if fresh else " ") + word
        if _width(joined) > WIDTH and not fresh:
            lines.append(line)
            joined = rest + word
        while _width(joined) > WIDTH:
            lines.append(_cut(joined, WIDTH))
            joined = rest + joined[len(lines[-1]) :]
        line, fresh = joined, False
    return lines + [line]


def _clip(lines: list[str], keep: int) -> list[str]:
    """The first `keep` lines; a cut ends in an ellipsis, at a word boundary if it can."""
    if len(lines) <= keep:
        return lines
    whole = lines[keep - 1]
    last = _cut(whole, WIDTH - 4)
    if last != whole and not whole[len(last)].isspace():  # the cut splits a word
        word = last.rsplit(" ", 1)[0]
        last = word if len(word) > len(last) // 2 else last
    return lines[: keep - 1] + [last.rstrip() + " …"]


def _short(text: str, width: int) -> str:
    """A table cell cut to its column: a repo id keeps its model name and loses part of its
    owner's (Hug…/SmolLM2-1.7B-Instruct); a name too long, or anything else, its end."""
    if len(text) <= width:
        return text
    owner, _, name = text.rpartition("/")
    if owner and len(name) + 3 <= width:
        return owner[: width - len(name) - 2] + "…/" + name
    return name[: width - 1] + "…"


class Flex:
    """A part of the page that can give up lines: its renderings, fullest first."""

    def __init__(self, *levels: list[str]) -> None:
        self.levels = list(levels) or [[]]
        self.at = 0

    def lines(self) -> list[str]:
        return self.levels[self.at]


def _each(items: list[list[str]], *keeps: int) -> Flex:
    """Every item in full, then every item cut to each of `keeps` lines."""
    return Flex(*[[line for item in items for line in _clip(item, k)] for k in (FULL, *keeps)])


def _text(text: str, *keeps: int, first: str | None = None) -> Flex:
    """One wrapped paragraph that can be cut to `keeps` lines (one by default)."""
    return _each([_wrap(text, first=first)], *(keeps or (1,)))


def _items(items: list[tuple[list[str], bool]], what: str, hidden: int = 0) -> Flex:
    """Items in order, each (lines, kept): in full, then each cut to one line, then the ones
    not kept dropped from the last (levels[1 + k]: k dropped), a line counting what is left
    out (`hidden`: left out already)."""
    optional = [i for i, (_, kept) in enumerate(items) if not kept]

    def listed(drop: int, keep: int) -> list[str]:
        gone = set(optional[len(optional) - drop :])
        lines = [x for i, (item, _) in enumerate(items) if i not in gone for x in _clip(item, keep)]
        n = hidden + len(gone)
        return lines + [f"  … and {n} more {what}{'' if n == 1 else 's'}: --explain"] * bool(n)

    return Flex(listed(0, FULL), *[listed(n, 1) for n in range(len(optional) + 1)])


def _fit(parts: list[list[str] | Flex], order: list[tuple[Flex, int]]) -> list[str]:
    """Shrink the flexible parts, in `order` (each down to a level), until the page fits."""

    def size() -> int:
        return sum(len(p.lines() if isinstance(p, Flex) else p) for p in parts)

    for flex, to in order:
        while size() > PAGE and flex.at < min(to, len(flex.levels) - 1):
            flex.at += 1
    return [line for p in parts for line in (p.lines() if isinstance(p, Flex) else p)]


def _numbers(numbers: list[int]) -> str:
    """Candidate numbers with runs joined: 1, 3-6, 9."""
    runs: list[list[int]] = []
    for n in sorted(numbers):
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in runs)


def _verdict(report: dict[str, Any]) -> tuple[list[str], Flex, Flex]:
    d = report["decision"]
    votes = d["votes"]
    close = "; CLOSE CALL: fine-tune both and compare" if d["close_call"] else ""
    start = d["repo"] or "none (no candidate passes every fit check)"
    head = _wrap(f"Verdict: {d['variant'].upper()} - {d['summary']} Start from: {start}", first="")
    head += _wrap(
        f"confidence {d['confidence']} (votes: base {votes['base']['total']:g}, "
        f"instruct {votes['instruct']['total']:g}){close}"
    )
    why = _text(f"Why this repo: {d['pick_reason']}", 2, 1) if d.get("pick_reason") else Flex()
    pick = [c for c in report["candidates"] if c["repo_id"] == d["repo"]][:1]  # none or one
    flagged = {ch["rule"] for c in pick for ch in c["checks"] if ch["state"] in ("warn", "fail")}
    # What to do about the pick's own warnings (rope scaling, its licence's terms...). Cut
    # short, a note is its rule's summary; a licence's terms are the last to be cut.
    terms = {w["rule"] for w in report["warnings"] if w.get("licence_terms")}
    notes = [(n["rule"], n["message"]) for n in d["pick_notes"] if n["rule"] in flagged]

    def note(rule: str, message: str, keep: int) -> list[str]:
        text = message if keep > 1 else report["rules"][rule]["summary"]
        return _clip(_wrap(f"For the pick: [{rule}] {text}"), keep)

    levels = [(FULL, FULL), (2, FULL), (1, FULL), (1, 3), (1, 1)]  # (others, licence terms)
    cut = [[x for r, m in notes for x in note(r, m, t if r in terms else k)] for k, t in levels]
    return head, why, Flex(*cut)


def _task(report: dict[str, Any]) -> list[Flex]:
    task = report["task"]
    u = task["understanding"]
    said = "".join(f"; {n} {L.value(u[n])}" for n in ("signals", "domains", "style") if u[n])
    parts = [
        _text(f"Task: {task['spec']['task']['description']}", first=""),
        _text(f"kind {L.value(u['kind'])} ({u['kind_source']}){said}"),
    ]
    if not task.get("understood", True):
        parts.append(_text(f"understood: nothing. {task['hint']}", 2))
    read = [
        f"{name}={L.value(f['value'])} ('{f['from']}')"
        for name, f in task.get("facts", {}).items()
        if f["origin"] == "inferred" and not name.startswith("task.")
    ]
    if read:
        parts.append(_text(f"read from the text: {'; '.join(read)}"))
    if u.get("against"):
        against = "; ".join(f"'{a['matched']}' ({a['against']})" for a in u["against"])
        parts.append(_text(f"negated, counted against: {against}"))
    if changes := report["decision"].get("what_would_change"):
        more = f" (+{len(changes) - 1} more in --format json)" if len(changes) > 1 else ""
        parts.append(_text(f"what would change it: {changes[0]['summary']}{more}"))
    if ds := report.get("dataset"):
        notes = [_wrap(f"data {ds['path']}: {L.dataset_line(ds)}")]
        notes += [_wrap(f"note: {n}") for n in ds.get("disagreements", []) + ds.get("warnings", [])]
        if ds.get("malformed_count"):
            first = ", ".join(f"line {m['line']}: {m['reason']}" for m in ds["malformed"])
            notes.append(_wrap(f"{ds['malformed_count']} malformed rows skipped ({first})"))
        parts.append(_each(notes, 1))  # cut, never dropped: --explain does not show them
    return parts


def _why(report: dict[str, Any]) -> list[list[str] | Flex]:
    d = report["decision"]
    fired = {v["id"]: (side, v) for side in ("base", "instruct") for v in d["votes"][side]["rules"]}
    reasons = [
        _wrap(f"+{fired[r][1]['weight']:g} {fired[r][0]} [{r}] {report['rules'][r]['summary']}")
        for r in d["reasons"]
    ]
    parts: list[list[str] | Flex] = [["Why:"], _each(reasons, 1)]
    if d["undecided"]:
        parts.append(_text(f"undecided (missing facts): {', '.join(d['undecided'])}"))
    status = L.EXCEPTION_STATUS
    exceptions = [f"  {x['id']:<22} {status.get(x['status'], x['status'])}" for x in
                  d["exceptions_considered"]]  # fmt: skip
    parts += [["Exceptions (base is right when one fires):"], exceptions]
    tax = d["alignment_tax"]
    rules = ", ".join(r["rule"] for r in tax["reasons"])
    tags = f" [{rules}]" if rules else ""
    parts.append(_text(f"Alignment tax: {tax['level']}{tags} - {tax['cost']}", first=""))
    return parts


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
    return f"{floor}{L.gb(entry['need_gb']).removesuffix(' GB')}{fits}"


def _counts_cell(c: dict[str, Any]) -> str:
    n = c["counts"]
    cell = f"{n['pass']}/{n['warn']}/{n['fail']}"
    cell += f" ?{n['unknown']}" if n["unknown"] else ""
    return cell + (f" -{n['not-asked']}" if n["not-asked"] else "")


def _table(report: dict[str, Any]) -> tuple[Flex, list[str], Flex]:
    method, gpu = report["memory_model"]["method"], report["memory_model"]["gpu_memory_gb"]
    budget = f"your GPU {L.gb(gpu)}" if gpu else "no GPU given"
    number = _number(report)
    by_id = {c["repo_id"]: c for c in report["candidates"]}
    scores = {
        r["repo_id"]: f"{100 * r['score'] / r['out_of']:.0f}%" if r["out_of"] else "-"
        for r in report["decision"]["ranking"]
    }
    head = ["#", "repo", "variant", "licence", "params", "context"]
    head += [f"{L.METHOD_TITLE.get(method, method)} GB", "pts", "checks"]
    cells = [
        [f"{number[repo]}{'*' if c['recommended'] else ''}", repo]
        + [L.compared(c, name) for name in ("variant", "license", "params_b", "context_native")]
        + [_memory_cell(c, method), scores.get(repo, "-"), _counts_cell(c)]
        for repo, c in ((r, by_id[r]) for r in report["shortlist"])
    ]
    # Columns as wide as their longest cell; past WIDTH the repo and licence columns give way
    # (their cells shortened with an ellipsis, in this table only).
    widths = [max(len(row[i]) for row in [head, *cells]) for i in range(len(head))]

    def row(values: list[str]) -> str:
        out = [_short(v, w).ljust(w) if i < 4 else v.rjust(w) for i, (v, w) in
               enumerate(zip(values, widths, strict=True))]  # fmt: skip
        return "  " + " ".join(out).rstrip()

    for col, floor in ((1, 30), (3, 12), (1, 16), (3, 7)):
        while widths[col] > floor and max(_width(row(r)) for r in [head, *cells]) > WIDTH:
            widths[col] -= 1
    rows = []
    for repo, values in zip(report["shortlist"], cells, strict=True):
        error = by_id[repo]["error"]
        line = [row(values)] + (_wrap(f"error: {error['message']}", "      ") if error else [])
        rows.append((line, len(rows) < 3))
    legend = Flex(
        _wrap(
            "Candidates, best first (* its family's recommended variant; checks pass/warn/fail "
            f"?unknown -not asked; pts: the pick's score, % of what could be checked; {budget}):",
            first="",
        ),
        [f"Candidates (* recommended; checks pass/warn/fail ?unknown -not asked; {budget}):"],
    )
    hidden = len(report["candidates"]) - len(rows)
    return legend, [row(head)], _items(rows, "candidate", hidden)


def _warnings(report: dict[str, Any]) -> tuple[list[str], Flex]:
    """Each distinct warning once; a FAIL or a licence's terms is never left out."""
    if not report["warnings"]:
        return [], Flex()
    number = _number(report)
    items = [
        (
            _wrap(
                f"{w['state'].upper()} [{w['rule']}] "
                f"({_numbers([number[r] for r in w['candidates']])}) {w['summary']}"
            ),
            w["state"] == "fail" or w.get("licence_terms", False),
        )
        for w in report["warnings"]
    ]
    return ["Warnings (each once, with the candidates it applies to):"], _items(items, "warning")


def _page(report: dict[str, Any]) -> list[str]:
    head, why_repo, notes = _verdict(report)
    task, why = _task(report), _why(report)
    legend, columns, rows = _table(report)
    warn_head, warns = _warnings(report)
    steps = report["next_steps"]
    step = _text(steps[0], first="Next step: ") if steps else Flex()
    more = f"{len(steps) - 1} more next step{'s' * (len(steps) > 2)}, " if len(steps) > 1 else ""
    gap = Flex([""], [])
    parts: list[list[str] | Flex] = [head, why_repo, notes, *task, gap, *why, gap, legend]
    parts += [columns, rows, warn_head, warns, gap, step]
    parts.append([f"({more}every rule, clause and fact: --explain; a report: --format html)"])
    # What gives way first: the task's details, table rows and the warnings that may go (of
    # candidates other than the pick, with no licence terms), then the pick's own notes, then
    # one-line summaries.
    rows_to = len(rows.levels) + 2  # the level showing n rows (of more): rows_to - n
    warns_to = len(warns.levels) - 1  # the level keeping k of the warnings that may go
    order = [*[(t, FULL) for t in task], (rows, rows_to - 6), (warns, 1), (why_repo, 1)]
    order += [(rows, rows_to - 5), (warns, warns_to - 3), (rows, rows_to - 4), (legend, 1)]
    order += [(warns, FULL), (notes, 1), (notes, 2), (notes, 3), (step, 1), (why_repo, 2)]
    order += [(p, FULL) for p in why if isinstance(p, Flex)] + [(rows, FULL), (gap, 1)]
    return _fit(parts, order)


class Plain(Markup):
    """The report's document as plain terminal text (the --explain page)."""

    def text(self, value: Any) -> str:
        return str(value)

    code = text

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
