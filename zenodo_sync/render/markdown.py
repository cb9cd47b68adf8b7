"""The plan as a pull-request comment (one sticky comment, as Atlantis and tfcmt post Terraform plans).

- A hidden marker (`<!-- zsync:plan -->`) first, so CI can find and update its one comment.
- The summary line first, then a warning banner when DOIs will be minted (create and new
  version publish a DOI, which cannot be undone) and a note when the server drifted.
- One folded `<details>` block per changed dataset with a ```diff fence whose `+`/`-` sit in
  column 0, so GitHub colours them (Atlantis does the same).
- Kept below GitHub's 65,536-character comment limit (§2.4): whole dataset blocks are kept
  while they fit, the first that does not is cut line by line, and a note says how much
  was cut and where the full plan is.
"""

from __future__ import annotations

import html

from zenodo_sync.model import DatasetChange, FieldChange, FileChange, Plan
from zenodo_sync.render import common
from zenodo_sync.render.textdiff import is_long_text, summarise_text_change, unified_text_diff
from zenodo_sync.sizes import human_size

MARKER = "<!-- zsync:plan -->"
GITHUB_COMMENT_LIMIT = 65_536
DEFAULT_MAX_CHARS = (
    60_000  # headroom below the limit, as tfcmt keeps (GitHub refuses comments over 65,536 characters)
)
DEFAULT_FULL_PLAN_HINT = "The full plan is in this workflow run's job summary, or run `zsync plan` locally."
_MIN_PARTIAL_BLOCK = 400  # below this much room, cutting a block shows nothing useful
_NAMES_IN_NOTE = 10


def render(
    plan: Plan,
    *,
    max_chars: int = DEFAULT_MAX_CHARS,
    full_plan_hint: str = DEFAULT_FULL_PLAN_HINT,
    target: str | None = None,
    **_ignored: object,
) -> str:
    """The comment body; never longer than `max_chars`."""
    marker = MARKER if not target else f"<!-- zsync:plan target={html.escape(target)} -->"
    head = "\n".join(_head(plan, marker)) + "\n"
    changes = common.shown_changes(plan)
    blocks = [_dataset_block(change) for change in changes]
    full = head + "".join(blocks)
    if len(full) <= max_chars:
        return full
    return _cut(head, changes, blocks, len(full), max_chars, full_plan_hint)


def _head(plan: Plan, marker: str) -> list[str]:
    lines = [marker, "### zsync plan", "", f"**{common.summary_line(plan)}**", ""]
    minting = common.minting(plan)
    if minting:
        names = ", ".join(f"`{change.key}`" for change in minting[:_NAMES_IN_NOTE])
        more = f" and {len(minting) - _NAMES_IN_NOTE} more" if len(minting) > _NAMES_IN_NOTE else ""
        count = len(minting)
        lines += [
            "> [!WARNING]",
            (
                f"> Applying this plan publishes {count} new DOI{'s' if count != 1 else ''} ({names}{more}). "
                f"Publishing cannot be undone: a published record and its DOI stay on {common.server_name(plan)}."
            ),
            "",
        ]
    consent = common.consent_line(plan)
    if consent:
        lines += ["> [!CAUTION]", f"> {html.escape(consent, quote=False)}", ""]
    warnings = common.warnings(plan)
    if warnings:
        lines += ["> [!IMPORTANT]", "> Read before applying:"]
        lines += [f"> - {html.escape(warning, quote=False)}" for warning in warnings] + [""]
    lock_line = common.lock_only_line(plan)
    if lock_line:
        lines += [html.escape(lock_line), ""]
    drifted = common.drifted(plan)
    if drifted:
        names = ", ".join(f"`{change.key}`" for change in drifted[:_NAMES_IN_NOTE])
        lines += [
            "> [!NOTE]",
            (
                f"> **{common.DRIFT_TITLE}:** {names}. Applying puts the manifests' values back "
                "unless the manifests are changed to match."
            ),
            "",
        ]
    return lines


def _dataset_block(change: DatasetChange, diff_lines: list[str] | None = None, cut_note: str = "") -> str:
    symbol = common.symbol(change)
    if change.adopt is not None and not common.adopts_only(change):
        symbol += f" {common.ADOPT_SYMBOL}"
    summary = f"<code>{html.escape(symbol)}</code> {html.escape(common.header(change))}"
    body = diff_lines if diff_lines is not None else _diff_lines(change)
    parts = [f"<details><summary>{summary}</summary>", ""]
    about = [html.escape(note) for note in common.notes(change)]
    if change.manifest_path:
        about.append(f"Manifest: `{change.manifest_path}`")
    if about:
        parts += ["<br>\n".join(about), ""]
    if body:
        fence = _fence_for(body)
        parts += [f"{fence}diff", *body, fence, ""]
    if cut_note:
        parts += [cut_note, ""]
    parts += ["</details>", ""]
    return "\n".join(parts) + "\n"


def _fence_for(lines: list[str]) -> str:
    """A code fence longer than any run of backticks inside, so a value cannot close it."""
    longest = max((_longest_backtick_run(line) for line in lines), default=0)
    return "`" * max(3, longest + 1)


def _longest_backtick_run(line: str) -> int:
    best = run = 0
    for char in line:
        run = run + 1 if char == "`" else 0
        best = max(best, run)
    return best


def _diff_lines(change: DatasetChange) -> list[str]:
    return _field_lines(change.field_changes) + _file_lines(change.file_changes)


def _field_lines(changes: list[FieldChange]) -> list[str]:
    lines: list[str] = []
    for change in changes:
        if is_long_text(change):
            summary = (
                f" ({summarise_text_change(change.before, change.after)})" if change.kind == "change" else ""
            )
            lines.append(f"  {change.path}:{summary}")
            lines += _text_diff(change)
        elif change.kind == "move":
            lines.append(f"! {change.path}: {common.format_value(change.after)} (moved from {change.before})")
        elif change.kind == "change":
            lines += _prefixed("-", change.path, change.before) + _prefixed("+", change.path, change.after)
        elif change.kind == "add":
            lines += _prefixed("+", change.path, change.after)
        else:
            lines += _prefixed("-", change.path, change.before)
    return lines


def _text_diff(change: FieldChange) -> list[str]:
    """Hunks for a changed text; a text added or removed whole needs no `@@` header."""
    lines = unified_text_diff(change.before, change.after)
    return lines if change.kind == "change" else [line for line in lines if not line.startswith("@@")]


def _prefixed(marker: str, path: str, value: object) -> list[str]:
    """Every line of a value carries the marker in column 0, so GitHub colours all of it."""
    value_lines = common.format_value_lines(value)
    return [f"{marker} {path}: {value_lines[0]}"] + [f"{marker}   {line}" for line in value_lines[1:]]


def _file_lines(changes: list[FileChange]) -> list[str]:
    lines = []
    for change in changes:
        size = human_size(change.size)
        if change.kind == "add":
            lines.append(f"+ file {change.name} ({size})")
        elif change.kind == "remove":
            lines.append(f"- file {change.name} ({size})")
        elif change.kind == "replace":
            lines.append(f"- file {change.name} (md5 {common.short_md5(change.remote_md5)})")
            lines.append(f"+ file {change.name} ({size}, md5 {common.short_md5(change.local_md5)})")
    return lines


# --- cutting to size -------------------------------------------------------------------


def _cut(
    head: str, changes: list[DatasetChange], blocks: list[str], full_length: int, max_chars: int, hint: str
) -> str:
    """Whole blocks while they fit, then the next one cut by lines, then a note (GitHub's 65,536-character limit)."""
    longest_key = max((len(change.key) for change in changes), default=0)
    reserve = 400 + len(hint) + (_NAMES_IN_NOTE + 1) * (longest_key + 4)
    budget = max_chars - len(head) - reserve
    while True:
        whole, used = 0, 0
        for block in blocks:
            if used + len(block) > budget:
                break
            whole, used = whole + 1, used + len(block)
        partial = None
        if whole < len(blocks) and budget - used >= _MIN_PARTIAL_BLOCK:
            partial = _partial_block(changes[whole], budget - used)
        body = head + "".join(blocks[:whole]) + (partial or "")
        result = body + _cut_note(full_length - len(body), changes, whole, partial is not None, hint)
        if len(result) <= max_chars or budget <= 0:
            return result[:max_chars] if len(result) > max_chars else result
        budget -= len(result) - max_chars  # the note came out longer than reserved: shrink and retry


def _partial_block(change: DatasetChange, room: int) -> str | None:
    """The dataset's block with as many diff lines as fit in `room` (binary search on the count)."""
    lines = _diff_lines(change)

    def block(keep: int) -> str:
        cut = len(lines) - keep
        return _dataset_block(change, lines[:keep], f"_({cut} more diff line{'s' if cut != 1 else ''} cut.)_")

    low, high = 0, len(lines) - 1  # the largest `keep` whose block fits
    if high < 1 or len(block(1)) > room:
        return None
    low = 1
    while low < high:
        middle = (low + high + 1) // 2
        if len(block(middle)) <= room:
            low = middle
        else:
            high = middle - 1
    return block(low)


def _cut_note(cut_chars: int, changes: list[DatasetChange], whole: int, partial: bool, hint: str) -> str:
    left_out = [change.key for change in changes[whole + (1 if partial else 0) :]]
    detail = f"{whole} of {len(changes)} changed datasets shown in full"
    if partial:
        detail += f"; `{changes[whole].key}` cut short"
    if left_out:
        names = ", ".join(f"`{key}`" for key in left_out[:_NAMES_IN_NOTE])
        more = f" and {len(left_out) - _NAMES_IN_NOTE} more" if len(left_out) > _NAMES_IN_NOTE else ""
        detail += f"; not shown: {names}{more}"
    return (
        "> [!CAUTION]\n"
        f"> This plan was cut to stay under GitHub's {GITHUB_COMMENT_LIMIT:,}-character comment limit: "
        f"{cut_chars:,} characters left out ({detail}). {hint}\n"
    )
