"""The `circlebot` command: run, demo, migrate, eval-recs."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

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
    from bot.recommend.evaluate import add_arguments

    add_arguments(sub.add_parser("eval-recs", help="score the recommender against MostPop, ItemKNN and EASE"))
    args = parser.parse_args(argv)
    if args.command == "eval-recs":
        from bot.recommend.evaluate import main as eval_recs

        return eval_recs(args)
    try:
        settings = load_settings(args.config)
        if args.command == "run":
            return _run(settings, read_token())
    except ConfigError as exc:
        print(f"circlebot: {exc}", file=sys.stderr)
        return 2
    if args.command == "migrate":
        from storage.migrate import run_migrations

        setup_logging(settings.logging.level)
        run_migrations(settings.storage.url)
        print("database is up to date")
        return 0
    from bot.demo import run_demo

    return asyncio.run(run_demo())


def _run(settings: Settings, token: str) -> int:
    from bot.app import ALLOWED_UPDATES, build_application, webhook_options

    setup_logging(settings.logging.level)
    app = build_application(settings, token)
    if settings.telegram.mode == "webhook":
        log.info("starting in webhook mode on %s:%s", settings.webhook.listen, settings.webhook.port)
        app.run_webhook(**webhook_options(settings))
    else:
        log.info("starting in polling mode")
        app.run_polling(allowed_updates=ALLOWED_UPDATES, timeout=settings.telegram.poll_timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
