"""`circlebot migrate-data`: move a community's whole database to another backend, then print what was verified."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from tqdm import tqdm

from bot.config import ConfigError, load_settings
from bot.logs import setup_logging
from bot.numbers import parse_int
from storage.copy import CHUNK, CopyError, CopyReport, ProgressBar, copy_database


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command's options."""
    parser.add_argument("--from", dest="source", metavar="URL",
                        help="the database to copy (default: storage.url of the config)")
    parser.add_argument("--to", dest="target", metavar="URL", required=True,
                        help="the empty database to copy into, e.g. postgresql+asyncpg://user@host/circlebot")
    parser.add_argument("--config", help="path to config.yaml (default: the bundled one)")
    parser.add_argument("--chunk", type=_positive, default=CHUNK, help=f"rows per batch (default: {CHUNK})")


def _positive(text: str) -> int:
    value = parse_int(text, 1)
    if value is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return value


def run(args: argparse.Namespace) -> int:
    """Copy, verify and print the summary; return 0 if verified, 1 if refused or not verified, 2 for bad arguments."""
    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        print(f"circlebot: {exc}", file=sys.stderr)
        return 2
    setup_logging(settings.logging.level)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # one line per revision: noise here
    source = args.source or settings.storage.url
    try:
        report = asyncio.run(copy_database(source, args.target, chunk=args.chunk, progress=_bar))
    except CopyError as exc:
        if exc.report is not None and exc.report.tables:
            print(summary(exc.report))
        print(f"circlebot: {exc}", file=sys.stderr)
        return exc.exit_code
    print(summary(report))
    print(f"verified: the copy matches the source; point storage.url at {report.target} and start the bot")
    return 0


def _bar(total: int) -> ProgressBar:
    # On stderr, so the summary on stdout stays clean; disable=None: no bar when stderr is not a terminal.
    return tqdm(total=total, unit=" rows", unit_scale=True, file=sys.stderr, disable=None, dynamic_ncols=True)


def summary(report: CopyReport) -> str:
    """The per-table counts and the ledger check, as printed after a copy."""
    lines = [f"{report.source} -> {report.target}", f"{'table':<24}{'source':>10}{'target':>10}"]
    empty = 0
    for table in report.tables:
        if table.source == table.target == 0:
            empty += 1
            continue
        mark = "" if table.ok else "  MISMATCH"
        lines.append(f"{table.name:<24}{table.source:>10}{table.target:>10}{mark}")
    tables = len(report.tables)
    lines.append(f"{tables} tables, {report.rows} rows copied ({empty} tables empty) in {report.seconds:.1f} s")
    if report.counters:
        lines.append(f"{report.counters} id counters continue after the highest ids the source handed out")
    if report.ledger_problems:
        lines += [f"points: {problem}" for problem in report.ledger_problems]
    else:
        lines.append(
            f"points: {report.members} members in {report.communities} communities: ledger sums equal "
            "the scores and balances in both databases"
        )
    return "\n".join(lines)
