"""Interaction files for eval-recs: any tab-separated export, or MovieLens-100K from the recbole wheel."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import zipfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from bot.recommend.protocol import Interactions

RECBOLE = "recbole==1.2.1"
ML100K = "recbole/dataset_example/ml-100k/ml-100k.inter"
COLUMNS = ("user", "item", "rating", "timestamp")


class DataError(Exception):
    """The interactions cannot be read (bad file, or the dataset could not be fetched)."""


def column_name(header: str) -> str:
    """Map a header cell to user, item, rating or timestamp (recbole's `user_id:token` style too)."""
    name = header.strip().split(":", 1)[0].lower()
    return {"user_id": "user", "item_id": "item"}.get(name, name)


def parse_interactions(lines: Iterable[str], source: str = "input") -> Interactions:
    """Read tab-separated events with a header naming user, item and optionally rating and timestamp.

    A repeated (user, item) pair keeps its last row; users and items are numbered in order of appearance.
    """
    reader = csv.reader(lines, delimiter="\t")
    header = next(reader, None)
    if header is None:
        raise DataError(f"{source} is empty")
    names = [column_name(cell) for cell in header]
    if "user" not in names or "item" not in names:
        raise DataError(f"{source}: the header must name a user and an item column, got {header}")
    at = {name: names.index(name) for name in COLUMNS if name in names}
    events: dict[tuple[str, str], tuple[float, float]] = {}
    for number, row in enumerate(reader, start=2):
        if not row or not "".join(row).strip():
            continue
        try:
            key = (row[at["user"]], row[at["item"]])
            rating = float(row[at["rating"]]) if "rating" in at else np.nan
            stamp = float(row[at["timestamp"]]) if "timestamp" in at else np.nan
        except (IndexError, ValueError) as exc:
            raise DataError(f"{source}, line {number}: {exc}") from None
        events.pop(key, None)
        events[key] = (rating, stamp)
    if not events:
        raise DataError(f"{source} has no interactions")
    users: dict[str, int] = {}
    items: dict[str, int] = {}
    u = np.array([users.setdefault(user, len(users)) for user, _ in events], dtype=np.int64)
    i = np.array([items.setdefault(item, len(items)) for _, item in events], dtype=np.int64)
    values = np.array(list(events.values()), dtype=np.float64).reshape(-1, 2)
    return Interactions(u, i, len(users), len(items), values[:, 0] if "rating" in at else None,
                        values[:, 1] if "timestamp" in at else None)


def read_file(path: Path) -> Interactions:
    """Read an interactions file."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return parse_interactions(handle, str(path))
    except OSError as exc:
        raise DataError(f"cannot read {path}: {exc.strerror}") from None


def read_wheel(wheel: Path, member: str = ML100K) -> Interactions:
    """Read the interactions file packed inside a wheel (a zip archive)."""
    try:
        with zipfile.ZipFile(wheel) as archive, archive.open(member) as raw:
            return parse_interactions(io.TextIOWrapper(raw, encoding="utf-8", newline=""), f"{wheel.name}:{member}")
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise DataError(f"cannot read {member} from {wheel}: {exc}") from None


def fetch_wheel(cache: Path, requirement: str = RECBOLE) -> Path:
    """Return the cached wheel, downloading it with `pip download --no-deps` the first time."""
    name = requirement.replace("==", "-")
    found = sorted(cache.glob(f"{name}-*.whl"))
    if found:
        return found[0]
    cache.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check", "-q",
               requirement, "-d", str(cache)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    found = sorted(cache.glob(f"{name}-*.whl"))
    if done.returncode != 0 or not found:
        reason = (done.stderr.strip().splitlines() or ["no wheel was saved"])[-1]
        raise DataError(f"could not download {requirement} (is a package index reachable?): {reason}")
    return found[0]
