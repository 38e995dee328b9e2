"""Run as a script under an installation's environment: leaves data of every kind a
backup must carry (accounts, audit chain, queued and finished jobs, an upload,
a stored raw mail).  Used by the backup and the multi-process tests."""

from __future__ import annotations

import contextlib
import datetime
import os
import sys

import django


def main(tag: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsqm.edges.web.settings")
    django.setup()
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from opsqm.infra.accounts.services import AdminExists, create_first_admin
    from opsqm.infra.audit.services import log_action
    from opsqm.infra.jobs.services import enqueue
    from opsqm.infra.mail.services import store_inbound

    with contextlib.suppress(AdminExists):
        create_first_admin(username="root1", password="Backup-Test-2026!x", full_name="管理员")
    for i in range(5):
        log_action(f"test.{tag}", summary=f"record {i}", after={"i": i, "名": "张三"})
    enqueue("mail.poll", {"tag": tag}, run_after=datetime.datetime(2099, 1, 1, tzinfo=datetime.UTC))
    raw = (
        "From: a@bureau.test\r\nTo: desk@bureau.test\r\nSubject: =?utf-8?b?5rWL6K+V?=\r\n"
        f"Message-ID: <{tag}@bureau.test>\r\n\r\n工单 {tag}\r\n"
    ).encode()
    store_inbound("INBOX", 7, len(tag), datetime.datetime.now(datetime.UTC), raw)
    default_storage.save(f"staff/cv-{tag}.pdf", ContentFile(b"%PDF-1.4\n" + os.urandom(4096)))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "a")
