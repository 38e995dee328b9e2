"""Importing DingTalk (钉钉) attendance: the pure parsing core, no Django.

    book = read_dingtalk_xlsx(path_or_bytes, progress=cb)   # or parse_open_api_records(items)
    matched, unmatched = match_people(book.punches, staff_refs)
    new = dedupe_punches(existing_pairs, matched)            # store these

Everything raises `DingTalkImportError` (with `.issues`) instead of returning a
partial result.  See docs/dingtalk-import.md.
"""

from .dedupe import dedupe_punches, punch_key
from .dingtalk_xlsx import Progress, read_dingtalk_xlsx
from .errors import DingTalkImportError, ImportIssue
from .matching import MatchResult, StaffRef, match_people
from .open_api import parse_open_api_records
from .records import DingTalkDay, DingTalkPunch, DingTalkWorkbook, SheetSummary

__all__ = [
    "DingTalkDay",
    "DingTalkImportError",
    "DingTalkPunch",
    "DingTalkWorkbook",
    "ImportIssue",
    "MatchResult",
    "Progress",
    "SheetSummary",
    "StaffRef",
    "dedupe_punches",
    "match_people",
    "parse_open_api_records",
    "punch_key",
    "read_dingtalk_xlsx",
]
