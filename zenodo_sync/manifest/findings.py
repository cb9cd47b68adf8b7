"""Validation problems as data: where (file, line, column, JSON pointer), what, and which rule."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    file: str  # as the user should read it: relative to the cwd or project root when possible
    line: int  # 1-based; 0 when the problem has no position (e.g. a file that cannot be read)
    column: int  # 1-based
    severity: str  # "error" | "warning"
    message: str
    pointer: str = ""  # RFC 6901 JSON pointer into the manifest ("" = the whole document)
    rule: str = ""  # stable id, e.g. "orcid-checksum"; tests and users filter on it

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def sort_key(finding: Finding) -> tuple:
    return (finding.file, finding.line, finding.column, finding.severity != ERROR, finding.rule)
