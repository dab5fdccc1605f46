"""Levels: which level a score reaches and the progress to the next one (names are in bot/views/points.py)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

@dataclass(frozen=True)
class Progress:
    """Where a score stands between its level and the next."""

    level: int
    floor: int
    next_at: int | None

    def fraction(self, score: int) -> float:
        """Return how far the score is from this level's floor to the next (1.0 at the top)."""
        if self.next_at is None:
            return 1.0
        return max(0.0, min(1.0, (score - self.floor) / (self.next_at - self.floor)))


def level_for(score: int, thresholds: Sequence[int]) -> int:
    """Return the level (1-based) a score reaches."""
    return max(1, bisect_right(thresholds, score))


def progress(score: int, thresholds: Sequence[int]) -> Progress:
    """Return the score's level with its floor and the next level's threshold."""
    level = level_for(score, thresholds)
    next_at = thresholds[level] if level < len(thresholds) else None
    return Progress(level, thresholds[level - 1], next_at)


def progress_bar(fraction: float, width: int = 10) -> str:
    """Render a fraction as a bar of filled and empty blocks."""
    filled = round(fraction * width)
    return "▰" * filled + "▱" * (width - filled)
