"""What reading the evidence log reports: the issues of its lines and the scan's result."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

from opsqm.pure.assessment.model import ContractEvidence

MAX_ISSUES = 1000  # a garbage file must not drown the terminal

Source = str | os.PathLike[str] | bytes | Iterable[bytes | str]


@dataclass(frozen=True, slots=True)
class EvidenceIssue:
    """One problem of the log: `line` is 1-based (0 for a summary), `field` may be ""."""

    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        if self.line == 0:
            return self.reason
        if self.field:
            return f"line {self.line}, field {self.field}: {self.reason}"
        return f"line {self.line}: {self.reason}"


class EvidenceLogError(ValueError):
    """The log has bad lines; `issues` lists them all (capped at MAX_ISSUES + summary)."""

    def __init__(self, issues: list[EvidenceIssue]) -> None:
        self.issues = issues
        shown = "; ".join(str(i) for i in issues[:3])
        more = f" (and {len(issues) - 3} more)" if len(issues) > 3 else ""
        super().__init__(f"bad evidence log: {shown}{more}")


@dataclass(slots=True)
class EvidenceScan:
    """The full result of one pass: evidence (valid only if no issues) and counts."""

    evidence: dict[str, ContractEvidence]
    issues: list[EvidenceIssue]
    counts: dict[str, int]  # lines per type
    duplicate_punches: int
    referenced: frozenset[str] = frozenset()  # every contract id a line names or defines
