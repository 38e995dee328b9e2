"""Work-order pages: the desk's board and intake, the ticket page with its actions,
the engineer's and the recipient's lists, signing (login or one-time link), the
"about to cost points" list and the desk's refused-mail page.  Thin: every change
goes through `opsqm.facts.tickets.services`.

One module per part: `board` (the lists), `intake`, `ticket` (the page), `actions`,
`signing`, and `common` for what they share; `urls` names the views module by module.
"""
