"""Run as a script under an installation's environment, for the multi-process test:
token                 the first administrator's API token (made if missing)
queue N TO            queue N outbound messages to TO (the worker sends them)
report                JSON: jobs, stored inbound and outbound Message-IDs, users"""

from __future__ import annotations

import json
import os
import sys

import django


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsqm.edges.web.settings")
    django.setup()
    from opsqm.infra.accounts.models import User
    from opsqm.infra.jobs.models import Job
    from opsqm.infra.mail.models import InboundMessage, OutboundMessage

    if argv[0] == "token":
        from opsqm.infra.accounts.services import create_token

        print(create_token(User.objects.get(username="chief")).key)
    elif argv[0] == "queue":
        from opsqm.infra.mail.services import queue_message

        for i in range(int(argv[1])):
            queue_message(to=[argv[2]], subject=f"派单 {i}", body=f"工单 {i}")
    elif argv[0] == "report":
        report = {
            "jobs": list(Job.objects.values_list("id", "kind", "status", "attempts")),
            "inbound": list(InboundMessage.objects.values_list("message_id", flat=True)),
            "outbound": list(OutboundMessage.objects.values_list("message_id", "status")),
            "users": User.objects.count(),
        }
        print(json.dumps(report, default=str))


if __name__ == "__main__":
    main(sys.argv[1:])
