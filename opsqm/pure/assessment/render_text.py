"""The ledger as a readable Chinese text report (``opsqm score`` without ``--json``).

Pure: a Ledger (and its Contract for the vendor's name) in, a string out.  Columns
are aligned by display width: a CJK character takes two terminal cells.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal

from opsqm.pure.assessment.model import RULE_IDS, RULE_TITLES, TZ, Contract, Ledger, LedgerItem

TIER_NAMES = {"pass": "合格", "5%": "罚合同额 5%", "10%": "罚合同额 10%", "15%": "罚合同额 15%"}


def tier_text(tier: str, final: bool) -> str:
    """The tier in words; on a provisional result a projection, never a fine (spec §2)."""
    if final:
        return TIER_NAMES.get(tier, tier)
    return "预计合格" if tier == "pass" else f"预计 {tier} 档（临时结果，不是罚款）"


FINE_NAMES = (
    ("I1", "事故罚款"),
    ("T7", "重复超时罚款"),
    ("D1", "延期违约金"),
    ("A1", "年度考核罚款"),
    ("total", "合计"),
)


def width(text: str) -> int:
    """Terminal cells: wide and full-width characters take two, combining marks none."""
    w = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        w += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return w


def pad(text: str, cells: int, right: bool = False) -> str:
    fill = " " * max(0, cells - width(text))
    return fill + text if right else text + fill


def table(rows: Sequence[Sequence[str]], right: Iterable[int] = (), indent: str = "") -> list[str]:
    """Rows aligned in columns; the column indexes in `right` are right-aligned."""
    if not rows:
        return []
    right_cols = set(right)
    cols = max(len(r) for r in rows)
    widths = [max((width(r[i]) for r in rows if i < len(r)), default=0) for i in range(cols)]
    out = []
    for r in rows:
        cells = [pad(c, widths[i], i in right_cols) for i, c in enumerate(r)]
        out.append((indent + "  ".join(cells)).rstrip())
    return out


def points(x: Decimal) -> str:
    return "0.00" if x == 0 else f"{x:+.2f}"


def money(x: Decimal) -> str:
    return f"{x:,.2f}"


def when(at: datetime | None) -> str:
    return "" if at is None else at.astimezone(TZ).strftime("%Y-%m-%d %H:%M")


def render_ledger(ledger: Ledger, contract: Contract | None = None) -> str:
    lines = _header(ledger, contract)
    lines += _items(ledger.items)
    lines += _totals(ledger)
    lines += _fines_and_settlement(ledger)
    return "\n".join(lines) + "\n"


def join_ledgers(parts: list[str]) -> str:
    """Rendered ledgers, one after the other (in parts: see opsqm.pure.assessment.halves)."""
    rule = "\n" + "=" * 72 + "\n\n"
    return rule.join(parts) if parts else "日志中没有合同。\n"


def _header(ledger: Ledger, contract: Contract | None) -> list[str]:
    title = f"  {contract.title}" if contract and contract.title else ""
    status = "最终结果" if ledger.final else "临时结果（服务期未结束）"
    rows = [
        ["合同", ledger.contract + title],
        ["供应商", contract.vendor if contract else ""],
        ["评估时点", ledger.as_of.astimezone(TZ).isoformat(" ", "minutes")],
        ["最终/临时", status],
        ["得分", f"{ledger.score:.2f}"],
        ["档次", tier_text(ledger.tier, ledger.final)],
    ]
    if ledger.rulebook:
        rows.append(["规则手册", ledger.rulebook])
    return [*table(rows), ""]


def _items(items: Sequence[LedgerItem]) -> list[str]:
    if not items:
        return ["扣分与奖励：无", ""]
    by_rule: dict[str, list[LedgerItem]] = {}
    for item in items:
        by_rule.setdefault(item.rule, []).append(item)
    out = ["扣分与奖励明细："]
    order = {r: i for i, r in enumerate(RULE_IDS)}
    for rule in sorted(by_rule, key=lambda r: order.get(r, len(order))):
        group = by_rule[rule]
        subtotal = sum((i.points for i in group), Decimal(0))
        fine = sum((i.fine for i in group), Decimal(0))
        head = f"{rule} {group[0].clause} {RULE_TITLES.get(rule, '')}  {len(group)} 项"
        head += f"  小计 {points(subtotal)} 分"
        if fine:
            head += f"  罚款 ¥{money(fine)}"
        out += ["", head]
        rows = [["分值", "罚款", "依据", "时间", "说明", "行"]]
        for i in group:
            fine_text = money(i.fine) if i.fine else ""
            line = str(i.line) if i.line else ""
            rows.append([points(i.points), fine_text, i.ref, when(i.at), i.note, line])
        out += table(rows, right=(0, 1, 5), indent="  ")
    return [*out, ""]


def _totals(ledger: Ledger) -> list[str]:
    nonzero = [(r, v) for r, v in ledger.totals.items() if v != 0]
    out = ["分项合计："]
    if nonzero:
        rows = [[r, RULE_TITLES.get(r, ""), points(v)] for r, v in nonzero]
        out += table(rows, right=(2,), indent="  ")
    else:
        out.append("  （全部为 0）")
    delta = sum(ledger.totals.values(), Decimal(0))
    out.append(f"  合计 {points(delta)}，得分 {ledger.score:.2f}")
    return [*out, ""]


def _fines_and_settlement(ledger: Ledger) -> list[str]:
    s = ledger.settlement
    fines = [[name, "¥" + money(ledger.fines.get(key, Decimal(0)))] for key, name in FINE_NAMES]
    settle = [
        ["尾款", "¥" + money(s.final_payment)],
        ["扣除", "¥" + money(s.deducted)],
        ["应付", "¥" + money(s.payable)],
        ["供应商另付", "¥" + money(s.vendor_owes)],
        ["保函索赔", "¥" + money(s.bond_claim)],
    ]
    flag = "有（延期超过约定天数）" if ledger.flags.get("termination_right") else "无"
    return [
        "罚款：",
        *table(fines, right=(1,), indent="  "),
        "",
        "结算：",
        *table(settle, right=(1,), indent="  "),
        "",
        f"终止权：{flag}",
    ]
