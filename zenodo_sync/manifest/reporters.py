"""Findings rendered for people (text), programs (json) and GitHub (workflow-command annotations)."""

from __future__ import annotations

import json
from collections.abc import Callable

from zenodo_sync.manifest.findings import Finding
from zenodo_sync.wording import plural

REPORT_FORMAT_VERSION = "1"
# GitHub shows at most 10 error and 10 warning annotations per step (GitHub's workflow-command documentation);
# the rest are printed as plain log lines so nothing is lost.
GITHUB_ANNOTATIONS_PER_SEVERITY = 10


def _location(finding: Finding) -> str:
    return f"{finding.file}:{finding.line}:{finding.column}" if finding.line else finding.file


def _summary(findings: list[Finding], files_checked: int) -> str:
    errors = sum(1 for finding in findings if finding.is_error)
    warnings = len(findings) - errors
    noun = "manifest" if files_checked == 1 else "manifests"
    if not findings:
        return f"{files_checked} {noun} valid."
    return (
        f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''} "
        f"in {files_checked} {noun}."
    )


def render_text(findings: list[Finding], files_checked: int) -> str:
    lines = []
    for finding in findings:
        pointer = f" [{finding.pointer}]" if finding.pointer else ""
        rule = f" ({finding.rule})" if finding.rule else ""
        lines.append(f"{_location(finding)}: {finding.severity}: {finding.message}{pointer}{rule}")
    lines.append(_summary(findings, files_checked))
    return "\n".join(lines) + "\n"


def render_json(findings: list[Finding], files_checked: int) -> str:
    errors = sum(1 for finding in findings if finding.is_error)
    body = {
        "format_version": REPORT_FORMAT_VERSION,
        "valid": errors == 0,
        "files_checked": files_checked,
        "error_count": errors,
        "warning_count": len(findings) - errors,
        "findings": [finding.to_dict() for finding in findings],
    }
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(findings: list[Finding], files_checked: int) -> str:
    lines = []
    shown = {"error": 0, "warning": 0}
    for finding in sorted(findings, key=lambda item: not item.is_error):
        message = (
            f"{finding.message} [{finding.pointer}] ({finding.rule})"
            if finding.pointer
            else f"{finding.message} ({finding.rule})"
        )
        if shown[finding.severity] < GITHUB_ANNOTATIONS_PER_SEVERITY:
            shown[finding.severity] += 1
            props = [f"file={_escape_property(finding.file)}"]
            if finding.line:
                props += [f"line={finding.line}", f"col={finding.column}"]
            props.append(f"title={_escape_property('zsync ' + finding.rule)}")
            lines.append(f"::{finding.severity} {','.join(props)}::{_escape_data(message)}")
        else:
            lines.append(f"{_location(finding)}: {finding.severity}: {message}")
    hidden = len(findings) - sum(shown.values())
    if hidden:
        verb = "is" if hidden == 1 else "are"
        lines.append(
            f"::notice::{plural(hidden, 'more finding')} {verb} listed in the log above, without annotations"
        )
    lines.append(_summary(findings, files_checked))
    return "\n".join(lines) + "\n"


REPORTERS: dict[str, Callable[[list[Finding], int], str]] = {
    "text": render_text,
    "json": render_json,
    "github": render_github,
}
