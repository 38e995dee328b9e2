"""The kind of a punch, from what DingTalk writes beside it.

DingTalk's 打卡结果 names a punch made away from the site "外勤" and one added
afterwards through an approval "补卡" (as "补卡审批通过", or "补卡" with the approval
in 关联的审批单).  The vendor compiles these files itself (第七条一), so a makeup punch
is evidence of another kind: it counts once the bureau confirms it (spec §3).
"""

from __future__ import annotations

from .records import PunchKindName

MAKEUP_MARKS = ("补卡",)
FIELD_MARKS = ("外勤",)


def punch_kind(*texts_: str | None) -> PunchKindName:
    """normal, field or makeup from the texts beside a punch (its result, its time
    cell's annotation such as "08:52（补卡）", its approval); a makeup mark wins over a
    field one (a 补卡 for a 外勤 punch still needs the bureau's confirmation)."""
    texts = [t for t in texts_ if t]
    if any(mark in t for t in texts for mark in MAKEUP_MARKS):
        return "makeup"
    if any(mark in t for t in texts for mark in FIELD_MARKS):
        return "field"
    return "normal"
