"""The settlement (docs/settlement.md): once the seed year is over, the assessor has
drawn up its statement and submitted it to the supervisor."""

from __future__ import annotations

from opsqm.edges.demo.story import Story
from opsqm.facts.contracts.models import Contract


def submit_statement(story: Story, seed: Contract) -> None:
    from opsqm.derived.settlement import services as settlement

    if settlement.is_over(seed):
        assessor = story.users["assessor"]
        st = settlement.create_statement(seed, assessor)
        settlement.submit(st, assessor)
