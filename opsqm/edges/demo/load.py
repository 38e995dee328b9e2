"""The demo bureau, chapter by chapter, in the order the story needs (each module
holds one app's data; the order of the dice rolls makes the same bureau every time).

The history of each contract is registered (punches, tickets with their facts given,
as the registers take them); the last weeks of the seed contract run through the real
flows: work orders from intake to archive, a DingTalk import job, monthly inspections,
the deliverables register and the acceptance.  docs/demo.md describes it all."""

from __future__ import annotations

from datetime import date

from opsqm.edges.demo.acceptance import run_acceptance, run_inspections
from opsqm.edges.demo.accounts import create_accounts
from opsqm.edges.demo.attendance import dingtalk_import, import_month, record_leave, record_punches
from opsqm.edges.demo.clauses import seed_clauses
from opsqm.edges.demo.contracts import (
    create_network,
    create_renewal,
    create_seed,
    create_vendors_and_units,
    create_video,
)
from opsqm.edges.demo.incidents import open_matters, record_history
from opsqm.edges.demo.notices import send_notices
from opsqm.edges.demo.remedies import record_remedies
from opsqm.edges.demo.settlement import submit_statement
from opsqm.edges.demo.staff import register_team
from opsqm.edges.demo.story import Story, run_jobs, window
from opsqm.edges.demo.tickets import register_history
from opsqm.edges.demo.workorders import run_work_orders
from opsqm.facts.contracts.models import Contract
from opsqm.infra.accounts.models import User


def load() -> None:
    story = Story.begin()
    vendors, units = create_vendors_and_units()
    create_accounts(vendors, units)
    story.users = {u.username: u for u in User.objects.all()}
    seed = create_seed(vendors, units)
    network = create_network(story, vendors, units)
    video = create_video(story, vendors, units)
    renewal = create_renewal(story, seed)
    month = import_month(story, seed)
    names = ["张工", "李工", "王工"]
    contract_history(story, seed, "KH", names, replace=True, withhold=month, open_work=False)
    if renewal is not None:  # the same engineers stay on
        contract_history(story, renewal, "KH", ["张工", "李工", "赵工"], open_work=False)
    contract_history(story, network, "HX", ["孙工", "周工", "吴工"])
    contract_history(story, video, "ZK", ["郑工", "冯工"])
    record_history(story, seed, network, units)
    open_matters(story, seed, network, units)
    record_remedies(story, seed)
    seed_clauses(story, seed)
    send_notices(story, seed)
    submit_statement(story, seed)
    recent_work(story, seed, renewal or seed, month)


def contract_history(
    story: Story,
    contract: Contract,
    prefix: str,
    names: list[str],
    replace: bool = False,
    withhold: tuple[date, date] | None = None,
    open_work: bool = True,
) -> None:
    """Staff, punches, a leave and registered tickets over the period so far."""
    first, last = window(story, contract)
    units = list(contract.units.all())
    people = register_team(contract, prefix, names, first, replace)
    record_punches(story, people, first, last, withhold)
    record_leave(story, people[0], first)
    register_history(story, contract, units, first, last, open_work)


def recent_work(
    story: Story, seed: Contract, current: Contract, month: tuple[date, date] | None
) -> None:
    """The last weeks of the seed contract, through the real flows.  `current`: the
    contract today's reports belong to (the seed, or its renewal once the seed year
    is over)."""
    if month is not None:
        dingtalk_import(story, seed, month)
    run_inspections(story, seed)
    run_work_orders(story, current)
    run_acceptance(story, seed)
    # The ticket jobs the flow queued that need no mail server (copying server
    # times already known); the outbox (`mail.send`) stays queued.
    run_jobs("tickets.server_times")
