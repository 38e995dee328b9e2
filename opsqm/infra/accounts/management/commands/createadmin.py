"""`opsqm createadmin`: the first 系统管理员 of a new installation."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from opsqm.infra.accounts.services import AdminExists, create_first_admin


class Command(BaseCommand):
    help = (
        "Create the first system administrator (系统管理员). Asks for the password twice, "
        "or reads it from --password-file. Refused when a system administrator exists."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="sysadmin", help="default: sysadmin")
        parser.add_argument(
            "--role",
            default="system_admin",
            choices=["system_admin", "security_admin", "audit_admin"],
            help="the first account of this administrator role (default: system_admin)",
        )
        parser.add_argument("--full-name", default="", help="the person's name")
        parser.add_argument(
            "--password-file",
            metavar="FILE",
            help="read the password from the first line of FILE ('-': standard input)",
        )

    def _password(self, source: str | None) -> str:
        if source == "-":
            return sys.stdin.readline().rstrip("\r\n")
        if source:
            try:
                return Path(source).read_text(encoding="utf-8").splitlines()[0].rstrip("\r")
            except (OSError, IndexError) as exc:
                raise CommandError(f"cannot read a password from {source}: {exc}") from exc
        if not sys.stdin.isatty():
            raise CommandError("no terminal to ask for the password: use --password-file FILE")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("the two passwords differ")
        return first

    def handle(self, *args: Any, **options: Any) -> None:
        password = self._password(options["password_file"])
        try:
            user = create_first_admin(
                username=options["username"],
                password=password,
                full_name=options["full_name"],
                role=options["role"],
            )
        except AdminExists as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            lines = [
                f"{field}: {message}"
                for field, messages in exc.message_dict.items()
                for message in messages
            ]
            raise CommandError("; ".join(lines)) from exc
        title = user.role.replace("_admin", " administrator")  # "system administrator"
        self.stdout.write(f"{title} {user.username} created")
