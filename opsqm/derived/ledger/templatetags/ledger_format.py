"""{% tier_badge tier final %}: the tier of a ledger, as every ledger page shows it.

A final result's tier is A1's fine; a provisional one's is only the tier the score
falls in today (spec §2): shown as projected, never as a fine badge.  A tag rather
than an included template: the bureau's ledger shows one a contract, and an include
per row was a tenth of that page's time.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def tier_badge(tier: str, final: bool) -> SafeString:
    if not final:
        if tier == "pass":
            text = _("projected: pass")
        else:
            text = _("projected: %(tier)s tier") % {"tier": tier}
        return format_html(
            '<span class="muted tier-projected" title="{}">{}</span>',
            _("Provisional result: the tier the score falls in today, not a fine"),
            text,
        )
    if tier == "pass":
        return format_html('<span class="badge ok">{}</span>', _("pass"))
    kind = "warn" if tier == "5%" else "bad"
    return format_html(
        '<span class="badge {}">{}</span>', kind, _("fine %(tier)s") % {"tier": tier}
    )
