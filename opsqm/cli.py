"""The ``opsqm`` command.

``score`` and ``validate`` work on an evidence log alone (Python 3.11, no Django).
Every other subcommand belongs to the web platform and is handed to Django's
management commands, so ``opsqm web``, ``opsqm worker`` … need no change here.

Imports are lazy: ``opsqm score`` must start fast, and must not touch Django.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from opsqm.pure.assessment.evidence_log import EvidenceIssue
    from opsqm.pure.assessment.model import ContractEvidence

EXIT_OK, EXIT_BAD_LOG, EXIT_USAGE = 0, 1, 2


@dataclass(frozen=True)
class Command:
    """A subcommand run here: its help, arguments and function."""

    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


# Subcommands run here; anything else goes to the web platform (see _delegate).
COMMANDS: dict[str, Command] = {}


Run = Callable[[argparse.Namespace], int]


def command(
    name: str, help: str, configure: Callable[[argparse.ArgumentParser], None]
) -> Callable[[Run], Run]:
    """Register the decorated function as subcommand `name`."""

    def register(run: Run) -> Run:
        COMMANDS[name] = Command(help, configure, run)
        return run

    return register


class UsageError(Exception):
    """A bad argument: message to stderr, exit 2."""


def _err(message: str) -> None:
    print(f"opsqm: {message}", file=sys.stderr)


# --- score ---------------------------------------------------------------------


def _configure_score(p: argparse.ArgumentParser) -> None:
    p.add_argument("events", metavar="EVENTS.jsonl", help="evidence log v1 (JSON Lines)")
    p.add_argument(
        "--as-of",
        required=True,
        metavar="ISO_INSTANT",
        help="instant to assess for, with offset, e.g. 2026-10-25T00:00:00+08:00",
    )
    p.add_argument("--contract", metavar="ID", help="only this contract")
    p.add_argument(
        "--rulebook",
        metavar="FILE_OR_NAME",
        help="default rulebook (shipped name or TOML path); a contract naming its own keeps it",
    )
    p.add_argument("--json", action="store_true", help="print the ledgers as JSON (spec §4)")


def _as_of(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"--as-of {text!r} is not an ISO instant; expected e.g. 2026-10-25T00:00:00+08:00"
        ) from None
    if value.tzinfo is None:
        raise UsageError(
            f"--as-of {text!r} needs an offset, e.g. {text}+08:00 (a naive time is not a guess)"
        )
    return value


@command(
    "score", "assess every contract of an evidence log: score, fines, settlement", _configure_score
)
def run_score(args: argparse.Namespace) -> int:
    import gc

    # Scoring only allocates: the cyclic GC would find nothing to free.  Restored after,
    # for callers that run main() in-process (tests, the web platform).
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        return _score(args)
    finally:
        if gc_was_on:
            gc.enable()


def _score(args: argparse.Namespace) -> int:
    as_of = _as_of(args.as_of)

    from opsqm.pure.assessment.engine import assess
    from opsqm.pure.assessment.halves import cut, score_in_halves
    from opsqm.pure.assessment.rulebook import RulebookError, load_rulebook, rulebook_for
    from opsqm.pure.assessment.workcalendar import CalendarError

    try:
        default = load_rulebook(args.rulebook)
    except RulebookError as exc:
        raise UsageError(str(exc)) from exc

    def render(evidence: dict[str, ContractEvidence]) -> bytes | list[str]:
        """The ledgers of `evidence`, as JSON (an array) or as text (one part each)."""
        ledgers = [
            assess(ev, as_of, rulebook_for(ev.contract, default)) for ev in evidence.values()
        ]
        contracts = {cid: ev.contract for cid, ev in evidence.items()}
        evidence.clear()  # the year's evidence is most of the memory: free it first
        if args.json:
            import orjson

            from opsqm.pure.assessment.ledger_json import ledger_to_dict

            return orjson.dumps([ledger_to_dict(lg) for lg in ledgers], option=orjson.OPT_INDENT_2)
        from opsqm.pure.assessment.render_text import render_ledger

        return [render_ledger(lg, contracts[lg.contract]) for lg in ledgers]

    # A large log written contract by contract: both halves at once (see halves).
    where = None if args.contract is not None else cut(args.events)
    parts = None if where is None else score_in_halves(args.events, where, render)
    if parts is not None:
        _write_output([p.output for p in parts], args.json)
        return EXIT_OK

    evidence = _read_or_report(args.events)
    if evidence is None:
        return EXIT_BAD_LOG
    if args.contract is not None:
        if args.contract not in evidence:
            known = ", ".join(list(evidence)[:10]) + (" …" if len(evidence) > 10 else "")
            raise UsageError(f"no contract {args.contract!r} in {args.events} (it has: {known})")
        evidence = {args.contract: evidence[args.contract]}
    try:
        output = render(evidence)
    except (RulebookError, CalendarError) as exc:
        raise UsageError(str(exc)) from exc
    _write_output([output], args.json)
    return EXIT_OK


def _write_output(outputs: list[bytes | list[str]], as_json: bool) -> None:
    """The parts' JSON arrays as one array, or their rendered ledgers one after another."""
    if as_json:
        from opsqm.pure.assessment.halves import json_pieces

        sys.stdout.flush()
        for piece in json_pieces([o for o in outputs if isinstance(o, bytes)]):
            sys.stdout.buffer.write(piece)
        sys.stdout.buffer.write(b"\n")
    else:
        from opsqm.pure.assessment.render_text import join_ledgers

        sys.stdout.write(join_ledgers([t for o in outputs if isinstance(o, list) for t in o]))


def _read_or_report(path: str) -> dict[str, ContractEvidence] | None:
    from opsqm.pure.assessment.evidence_log import EvidenceLogError, read_evidence_log

    try:
        return read_evidence_log(path)
    except EvidenceLogError as exc:
        print_issues(exc.issues, path, sys.stderr)
        return None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from exc


def print_issues(issues: Sequence[EvidenceIssue], path: str, out: TextIO) -> None:
    for issue in issues:
        print(f"{path}: {issue}", file=out)
    real = [i for i in issues if i.line]
    print(f"{path}: {len(real)}{'+' if len(real) < len(issues) else ''} problem(s)", file=out)


# --- validate --------------------------------------------------------------------


def _configure_validate(p: argparse.ArgumentParser) -> None:
    p.add_argument("events", metavar="EVENTS.jsonl", help="evidence log v1 (JSON Lines)")


@command(
    "validate", "check an evidence log: every bad line, its field and why", _configure_validate
)
def run_validate(args: argparse.Namespace) -> int:
    from opsqm.pure.assessment.evidence_log import scan_evidence_log

    try:
        scan = scan_evidence_log(args.events)
    except OSError as exc:
        raise UsageError(f"cannot read {args.events}: {exc.strerror or exc}") from exc
    if scan.issues:
        print_issues(scan.issues, args.events, sys.stderr)
        return EXIT_BAD_LOG
    counts = ", ".join(f"{n} {kind}" for kind, n in scan.counts.items() if n)
    merged = (
        f"; {scan.duplicate_punches} duplicate punch(es) merged" if scan.duplicate_punches else ""
    )
    print(f"OK {args.events}: {sum(scan.counts.values())} events ({counts or 'none'}){merged}")
    return EXIT_OK


# --- the rest: the web platform ---------------------------------------------------

WEB_NEEDS = "the web platform needs Python ≥ 3.12 and Django 6"


def _delegate(argv: list[str]) -> int:
    """Hand an unknown subcommand to Django's management commands."""
    import importlib.util

    if sys.version_info < (3, 12) or importlib.util.find_spec("django") is None:
        _err(f"{argv[0]!r} is not a core command and {WEB_NEEDS}")
        return EXIT_USAGE
    try:
        from opsqm.edges.web.manage import run_django  # type: ignore[import-not-found,unused-ignore]
    except ImportError as exc:
        _err(f"unknown command {argv[0]!r} (the web platform is not available: {exc})")
        return EXIT_USAGE
    return int(run_django(argv) or 0)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="opsqm",
        description="OpsQM 运维服务质量管理平台: assess an outsourced IT-operations contract.",
        epilog="Other commands (web, worker, export, import, audit …) belong to the web "
        f"platform and are passed to Django; {WEB_NEEDS}.",
    )
    from opsqm import __version__

    parser.add_argument("--version", action="version", version=f"opsqm {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, cmd in COMMANDS.items():
        p = sub.add_parser(name, help=cmd.help, description=cmd.help)
        cmd.configure(p)
        p.set_defaults(run=cmd.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and not args_list[0].startswith("-") and args_list[0] not in COMMANDS:
        return _delegate(args_list)
    parser = build_parser()
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    if not getattr(args, "run", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(args.run(args))
    except UsageError as exc:
        _err(str(exc))
        return EXIT_USAGE
    except BrokenPipeError:  # `opsqm score … | head`: the reader left, say nothing more
        import os

        # Python's documented recipe: stdout to devnull so the exit-time flush is quiet.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BAD_LOG


def run() -> None:
    """The `opsqm` program (the console script and `python -m opsqm.cli`).

    After `score` or `validate` the process ends without the interpreter's teardown
    (freeing every object of a year's evidence one by one: 3 % of `opsqm score`'s
    time on the bench year, docs/benchmarks.md): their output is flushed first and they
    hold nothing else to close.  The platform's commands exit the usual way."""
    code = main()
    if len(sys.argv) > 1 and sys.argv[1] in COMMANDS:
        import os

        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BrokenPipeError:  # the reader left: as main() does, say nothing more
            code = code or EXIT_BAD_LOG
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    run()
