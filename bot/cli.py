"""The `circlebot` command: run, demo, migrate, eval-recs, export."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from bot.config import ConfigError, Settings, load_settings, read_token
from bot.logs import setup_logging

log = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and run the chosen command; return the exit code."""
    parser = argparse.ArgumentParser(prog="circlebot", description="A paid knowledge community in Telegram.")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (("run", "run the bot"), ("migrate", "apply database migrations"), ("demo", "play a demo")):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("--config", help="path to config.yaml (default: the bundled one)")
    run = sub.choices["run"]
    run.add_argument("--workers", type=int, default=1, metavar="N",
                     help="webhook mode: N processes sharing the webhook's port and the PostgreSQL database")
    from bot.recommend.evaluate import add_arguments

    add_arguments(sub.add_parser("eval-recs", help="score the recommender against MostPop, ItemKNN and EASE"))
    export = sub.add_parser("export", help="write a community's members, payments, ledger and Q&A as CSV files")
    export.add_argument("--config", help="path to config.yaml (default: the bundled one)")
    export.add_argument("--community", required=True, type=int, help="the community's chat id (e.g. -100...)")
    export.add_argument("--out", required=True, type=Path, help="the folder to write the files into")
    export.add_argument("--only", nargs="+", metavar="KIND", help="members, payments, ledger and/or qa (default: all)")
    from bot.migrate_data import add_arguments as add_copy_arguments

    add_copy_arguments(sub.add_parser("migrate-data", help="copy every row into an empty database (e.g. PostgreSQL)"))
    args = parser.parse_args(argv)
    if args.command == "migrate-data":
        from bot.migrate_data import run as migrate_data

        return migrate_data(args)
    if args.command == "eval-recs":
        from bot.recommend.evaluate import main as eval_recs

        return eval_recs(args)
    try:
        settings = load_settings(args.config)
        if args.command == "run":
            return _run(settings, read_token(), args.workers, args.config)
    except ConfigError as exc:
        print(f"circlebot: {exc}", file=sys.stderr)
        return 2
    if args.command == "export":
        return asyncio.run(_export(settings, args.community, args.out, args.only or []))
    if args.command == "migrate":
        from storage.migrate import run_migrations

        setup_logging(settings.logging.level)
        run_migrations(settings.storage.url)
        print("database is up to date")
        return 0
    from bot.demo import run_demo

    return asyncio.run(run_demo())


async def _export(settings: Settings, community_id: int, out: Path, only: list[str]) -> int:
    from bot.clock import SystemClock
    from bot.errors import DomainError
    from bot.services.export import SYSTEM_ACTOR, do_export, parse_export_kinds
    from storage.db import Database

    try:
        kinds = parse_export_kinds(only)
    except DomainError:
        print("circlebot: --only takes members, payments, ledger and qa", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    db = await Database.open(settings.storage.url, **settings.storage.engine_options())
    try:
        files = await do_export(db, SystemClock(), community_id, SYSTEM_ACTOR, kinds, out, source="cli")
    except DomainError:
        print(f"circlebot: no community {community_id} in {settings.storage.url}", file=sys.stderr)
        return 1
    finally:
        await db.close()
    for file in files:
        print(f"{file.path}: {file.rows} rows")
    return 0


def _run(settings: Settings, token: str, workers: int, config: str | None) -> int:
    from bot.app import ALLOWED_UPDATES, build_application
    from bot.workers import serve_webhook, supervise, workers_problem

    problem = workers_problem(settings, workers)
    if problem is not None:
        print(f"circlebot: {problem}", file=sys.stderr)
        return 2
    setup_logging(settings.logging.level)
    if workers > 1:
        return supervise(settings, workers, config)
    if settings.telegram.mode == "webhook":
        log.info("starting in webhook mode on %s:%s", settings.webhook.listen, settings.webhook.port)
        return serve_webhook(settings, token)
    log.info("starting in polling mode")
    build_application(settings, token).run_polling(
        allowed_updates=ALLOWED_UPDATES, timeout=settings.telegram.poll_timeout
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
