"""`circlebot eval-recs`: MostPop, ItemKNN, EASE and circlebot's model scored by one protocol in one run."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from bot.recommend.collab import Ease, ItemKNN, MostPop
from bot.recommend.data import DataError, fetch_wheel, read_file, read_wheel
from bot.recommend.hybrid import Hybrid
from bot.recommend.protocol import SPLITS, Interactions, Metrics, evaluate, split


def default_cache() -> Path:
    """Where the recbole wheel is kept between runs."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "circlebot" / "datasets"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The eval-recs options."""
    parser.add_argument("--interactions", type=Path, help="tab-separated file with user, item [, rating, timestamp]")
    parser.add_argument("--split", choices=SPLITS, default="random")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--cache", type=Path, default=None, help="where the MovieLens wheel is downloaded")


def run_models(data: Interactions, mode: str, seed: int, k: int) -> list[Metrics]:
    """Split once and score the four models on the same train and test events."""
    train, test = split(data, mode, seed)
    models = [MostPop(), ItemKNN(100), Ease(500.0), Hybrid(mode, seed, k)]
    return [evaluate(model, train, test, k) for model in models]


def table(results: list[Metrics], k: int) -> str:
    """Format the figures, with each model's NDCG@k and Recall@k relative to EASE."""
    ease = next((r for r in results if r.name == "EASE"), None)
    lines = [f"{'model':<10} {'NDCG@' + str(k):>9} {'Recall@' + str(k):>10} {'coverage':>9} {'fit s':>7}"
             "  vs EASE (NDCG, Recall)"]
    for r in results:
        versus = "n/a"
        if ease and ease.ndcg and ease.recall:
            versus = f"{(r.ndcg / ease.ndcg - 1) * 100:+.1f}%, {(r.recall / ease.recall - 1) * 100:+.1f}%"
        lines.append(f"{r.name:<10} {r.ndcg:>9.4f} {r.recall:>10.4f} {r.coverage:>9.3f} {r.fit_seconds:>7.2f}"
                     f"  {versus}")
    return "\n".join(lines)


def main(args: argparse.Namespace) -> int:
    """Run the evaluation and print the table; exit 1 when the data cannot be had."""
    if args.k < 1:
        print("eval-recs: --k must be at least 1", file=sys.stderr)
        return 2
    try:
        if args.interactions is not None:
            data, source = read_file(args.interactions), str(args.interactions)
        else:
            wheel = fetch_wheel(args.cache or default_cache())
            data, source = read_wheel(wheel), f"MovieLens-100K ({wheel.name})"
        results = run_models(data, args.split, args.seed, args.k)
    except (DataError, ValueError) as exc:
        print(f"eval-recs: {exc}", file=sys.stderr)
        return 1
    print(f"{source}: {data.n_users} users, {data.n_items} items, {len(data)} interactions")
    print(f"split={args.split} seed={args.seed} k={args.k}; each user's 20% held out, all unseen items ranked")
    print(table(results, args.k))
    return 0
