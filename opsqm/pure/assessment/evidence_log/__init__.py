"""Reader, validator and writer of the evidence log v1 (spec §3).

The log is JSON Lines; every line is one fact with a ``type``.  Reading is strict:
each bad line is reported with its line number, the field and the expected value,
and *every* bad line is reported, not just the first.

Speed matters (a bureau-sized year is ~150,000 lines and ``opsqm score`` must stay
well under a second), so the two bulk types, ``punch`` and ``ticket``, have a
straight-line fast path that only accepts the canonical, clean shape.  Anything
the fast path does not like falls through to the schema-driven generic path, which
is the single authority on what is valid and on how errors are worded.

The modules: `values` (the converters of single values and their error wording),
`schema` (each type's fields), `fast` (the ticket fast paths), `blocks` (a file or
bytes read in blocks, the canonical punch and ticket lines by regular expression),
`reader` (the pass over the lines and the checks across them), `writer`, and
`issues` (what a scan reports).
This package re-exports the public API; callers import it from here.
"""

from typing import TYPE_CHECKING, Any

from opsqm.pure.assessment.evidence_log.issues import (
    MAX_ISSUES,
    EvidenceIssue,
    EvidenceLogError,
    EvidenceScan,
)
from opsqm.pure.assessment.evidence_log.reader import (
    read_evidence_log,
    scan_evidence_log,
    validate_evidence_log,
)

if TYPE_CHECKING:
    from opsqm.pure.assessment.evidence_log.writer import write_evidence_log


def __getattr__(name: str) -> Any:
    # The writer on first use: `opsqm score` and the validator only read.
    if name == "write_evidence_log":
        from opsqm.pure.assessment.evidence_log.writer import write_evidence_log

        return write_evidence_log
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "MAX_ISSUES",
    "EvidenceIssue",
    "EvidenceLogError",
    "EvidenceScan",
    "read_evidence_log",
    "scan_evidence_log",
    "validate_evidence_log",
    "write_evidence_log",
]
