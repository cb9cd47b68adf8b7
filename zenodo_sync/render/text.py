"""The plan for a terminal, in Terraform's shape (its `+ ~ -/+` symbols and summary line).

A drift note first, a legend of only the symbols used, one block per dataset with a header
comment, field and file lines, and the summary line last. Colour only when the caller asks
(the CLI decides from the TTY, `--no-color` and `NO_COLOR`: see render.use_colour).
"""

from __future__ import annotations

from zenodo_sync.model import DatasetChange, FieldChange, FileChange, Plan
from zenodo_sync.render import common
from zenodo_sync.render.textdiff import is_long_text, summarise_text_change, unified_text_diff
from zenodo_sync.sizes import human_size

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_COLOURS = {
    "+": "\x1b[32m",  # green
    "-": "\x1b[31m",  # red
    "~": "\x1b[33m",  # yellow
    "-/+": "\x1b[35m",  # magenta, like a replacement
    ">": "\x1b[36m",  # cyan
    ".": "\x1b[2m",  # dim
    "@": "\x1b[36m",  # hunk headers
}
_KIND_SYMBOL = {"add": "+", "remove": "-", "change": "~", "move": "~"}
_FILE_SYMBOL = {"add": "+", "remove": "-", "replace": "~"}
FIELD_INDENT = " " * 6


class _Painter:
    def __init__(self, enabled: bool):
        self.enabled = enabled

    def symbol(self, symbol: str) -> str:
        colour = _COLOURS.get(symbol.strip())
        return f"{colour}{symbol}{_RESET}" if self.enabled and colour else symbol

    def bold(self, text: str) -> str:
        return f"{_BOLD}{text}{_RESET}" if self.enabled else text

    def line(self, first_char: str, text: str) -> str:
        colour = _COLOURS.get(first_char)
        return f"{colour}{text}{_RESET}" if self.enabled and colour else text


def render(plan: Plan, *, color: bool = False, **_ignored: object) -> str:
    """The whole plan as text ending in a newline."""
    paint = _Painter(color)
    out: list[str] = []
    drifted = common.drifted(plan)
    if drifted:
        out += _drift_section(drifted, paint, common.server_name(plan))
    out += _warning_lines(plan, paint)
    if not plan.has_changes:
        lock_line = common.lock_only_line(plan)
        out += [lock_line, ""] if lock_line else []
        out.append(paint.bold(common.on_server(common.NO_CHANGES, plan)))
        return "\n".join(out) + "\n"
    out += _legend(plan, paint)
    out.append("zsync will perform the following actions:")
    out.append("")
    for change in common.shown_changes(plan):
        out += _dataset_block(change, paint, common.server_name(plan))
        out.append("")
    lock_line = common.lock_only_line(plan)
    out += [lock_line, ""] if lock_line else []
    out.append(paint.bold(common.summary_line(plan)))
    consent = common.consent_line(plan)
    out += [consent] if consent else []
    return "\n".join(out) + "\n"


def _drift_section(drifted: list[DatasetChange], paint: _Painter, where: str) -> list[str]:
    lines = [
        paint.bold(f"Note: {common.DRIFT_TITLE}"),
        "",
        f"zsync detected the following changes made on {where} outside of zsync since the last apply:",
        "",
    ]
    for change in drifted:
        record = f" (record {change.record_id})" if change.record_id else ""
        lines.append(f"  # {change.key} has changed on {where}{record}")
    lines += [
        "",
        (
            "Unless the manifests are changed to match, apply puts the manifests' values back "
            "(the field changes are shown below)."
        ),
        "",
        "-" * 72,
        "",
    ]
    return lines


def _warning_lines(plan: Plan, paint: _Painter) -> list[str]:
    warnings = common.warnings(plan)
    if not warnings:
        return []
    return [paint.bold("Warning:") + f" {warning}" for warning in warnings] + [""]


def _legend(plan: Plan, paint: _Painter) -> list[str]:
    lines = [
        f"zsync compared the manifests with {common.server_name(plan)}. Actions are shown with these symbols:"
    ]
    for symbol, meaning in common.legend(plan):
        lines.append(f"{paint.symbol(symbol.rjust(3))} {meaning}")
    return [*lines, ""]


def _dataset_block(change: DatasetChange, paint: _Painter, where: str) -> list[str]:
    symbol = common.symbol(change)
    lines = [paint.bold(f"  # {common.header(change, where)}")]
    lines += [f"  # {note}" for note in common.notes(change)]
    where = f"  # {change.manifest_path}" if change.manifest_path else ""
    body = _field_lines(change.field_changes, paint) + _file_lines(change.file_changes, paint)
    opener = f'{paint.symbol(symbol.rjust(3))} dataset "{change.key}"'
    if change.adopt is not None and not common.adopts_only(change):
        # Adopted and changed: the adoption keeps its own symbol beside the action's.
        opener += f" {paint.symbol(common.ADOPT_SYMBOL)} concept {change.adopt.concept_id}"
    if not body:
        return [*lines, opener + where]
    return [*lines, f"{opener} {{{where}", *body, "    }"]


def _field_lines(changes: list[FieldChange], paint: _Painter) -> list[str]:
    lines: list[str] = []
    for change in changes:
        symbol = paint.symbol(_KIND_SYMBOL.get(change.kind, "~"))
        if is_long_text(change):
            summary = (
                f" ({summarise_text_change(change.before, change.after)})" if change.kind == "change" else ""
            )
            lines.append(f"{FIELD_INDENT}{symbol} {change.path}:{summary}")
            for hunk_line in unified_text_diff(change.before, change.after):
                if change.kind != "change" and hunk_line.startswith("@@"):
                    continue  # a text added or removed whole needs no hunk header
                lines.append(FIELD_INDENT + "    " + paint.line(hunk_line[:1], hunk_line))
        elif change.kind == "move":
            lines.append(
                f"{FIELD_INDENT}{symbol} {change.path}: {common.format_value(change.after)} "
                f"(moved from {change.before})"
            )
        elif change.kind == "change":
            lines.append(
                f"{FIELD_INDENT}{symbol} {change.path}: {common.format_value(change.before)} -> "
                f"{common.format_value(change.after)}"
            )
        else:
            value = change.after if change.kind == "add" else change.before
            value_lines = common.format_value_lines(value)
            lines.append(f"{FIELD_INDENT}{symbol} {change.path}: {value_lines[0]}")
            lines += [f"{FIELD_INDENT}  {line}" for line in value_lines[1:]]
    return lines


def _file_lines(changes: list[FileChange], paint: _Painter) -> list[str]:
    lines = []
    kept = 0
    for change in changes:
        if change.kind == "keep":
            kept += 1
            continue
        symbol = paint.symbol(_FILE_SYMBOL.get(change.kind, "~"))
        size = human_size(change.size)
        if change.kind == "replace":
            detail = (
                f"{size}, md5 {common.short_md5(change.remote_md5)} -> {common.short_md5(change.local_md5)}"
            )
        else:
            detail = size
        lines.append(f"{FIELD_INDENT}{symbol} file {change.name} ({detail})")
    if kept:
        lines.append(f"{FIELD_INDENT}  # ({kept} unchanged file{'s' if kept != 1 else ''} hidden)")
    return lines
