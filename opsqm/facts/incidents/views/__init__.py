"""Pages: incidents (第十一条–第十四条), quarterly evaluation campaigns (第十五条,
第十九条), praise (第二十条), rectification notices (合同 六(一)2) and contracted
deliveries (合同 十.2).  Views stay thin: the services validate and write.

One module per register (`incident`, `evaluation`, `praise`, `rectification`,
`delivery`), `common` for what they share; `urls` names the views module by module.
"""

from opsqm.facts.incidents.views.common import report_hours

__all__ = ["report_hours"]
