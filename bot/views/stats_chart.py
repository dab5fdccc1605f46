"""The /stats chart: one PNG with daily active members, messages, Stars revenue and the cohort heatmap.

Drawn with matplotlib's object API on the Agg canvas (no pyplot, no global backend), so it can
run in a worker thread (asyncio.to_thread) while the bot keeps answering. Chinese labels use
Noto Sans CJK SC from the manimgx-fonts-cjk package (SIL OFL 1.1), registered with matplotlib's
font manager on first use. Every label asks for DejaVu Sans (bundled with matplotlib) and falls
back glyph by glyph to the CJK face, so Chinese labels and Chinese names in English labels both
render, whatever the admin's language.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from importlib.resources import as_file, files

from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.dates import DateFormatter
from matplotlib.figure import Figure

from bot.services.stats import HEATMAP_WEEKS, Stats

Translate = Callable[..., str]

CJK_PACKAGE = "manimgx_fonts_cjk"
CJK_FILE = "NotoSansCJK-VF.otf.ttc"
CJK_FAMILY = "Noto Sans CJK SC"  # the collection's Simplified Chinese face
LATIN_FAMILY = "DejaVu Sans"  # bundled with matplotlib
FAMILIES = [LATIN_FAMILY, CJK_FAMILY]
SIZE = (12, 9)  # inches, at DPI: 1200 × 900 pixels
DPI = 100

# Matplotlib's font cache and text layout are shared state: one chart at a time.
_lock = threading.Lock()
_HEAT = LinearSegmentedColormap.from_list("retention", ["#f4f6fb", "#2f6fdf"])


@cache
def register_cjk_font() -> str:
    """Add the CJK font collection to matplotlib's font manager once; return its file path."""
    resource = files(CJK_PACKAGE) / CJK_FILE
    with as_file(resource) as path:  # a real file in an installed package: no copy is made
        fname = str(path)
    manager = font_manager.fontManager
    manager.addfont(fname)
    # A variable font: matplotlib records its default instance's weight (100) and draws only that
    # instance anyway, so record it as the normal weight every label asks for (no findfont warnings).
    manager.ttflist = [replace(f, weight=400) if f.fname == fname else f for f in manager.ttflist]
    return fname


def render_chart(stats: Stats, t: Translate) -> bytes:
    """Return the PNG bytes of the /stats chart, labelled in the admin's language."""
    with _lock:
        register_cjk_font()
        figure = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
        FigureCanvasAgg(figure)
        families = FAMILIES
        figure.suptitle(
            t("stats.chart.title", days=stats.days, start=stats.start.isoformat(), end=stats.end.isoformat()),
            fontsize=16, family=families,
        )
        active, messages, revenue, cohorts = figure.subplots(2, 2).flat
        dates = [d.date for d in stats.series]
        _bars(active, dates, [d.active for d in stats.series], "#2f6fdf", t("stats.chart.active"), families)
        _bars(messages, dates, [d.messages for d in stats.series], "#31a36b", t("stats.chart.messages"), families)
        _bars(revenue, dates, [d.stars for d in stats.series], "#e8a317", t("stats.chart.revenue"), families)
        _heatmap(cohorts, stats, t, families)
        out = io.BytesIO()
        figure.savefig(out, format="png")
    return out.getvalue()


def _bars(axes, dates, values, color: str, title: str, families: list[str]) -> None:  # noqa: ANN001
    axes.bar(dates, values, color=color, width=0.8)
    axes.set_title(title, family=families, fontsize=13)
    axes.set_ylim(bottom=0, top=max([*values, 1]) * 1.15)
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.tick_params(axis="x", labelrotation=45, labelsize=8)
    axes.xaxis.set_major_formatter(DateFormatter("%m-%d"))
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="y", alpha=0.3)


def _heatmap(axes, stats: Stats, t: Translate, families: list[str]) -> None:  # noqa: ANN001
    rows = stats.cohorts
    grid = [[share if share is not None else float("nan") for share in c.retention] for c in rows]
    axes.imshow(grid, cmap=_HEAT, vmin=0, vmax=1, aspect="auto")
    axes.set_title(t("stats.chart.cohorts"), family=families, fontsize=13)
    axes.set_xticks(range(HEATMAP_WEEKS), [t("stats.chart.week", n=k) for k in range(1, HEATMAP_WEEKS + 1)],
                    family=families)
    axes.set_yticks(range(len(rows)), [t("stats.chart.cohort", start=c.start.strftime("%m-%d"), size=c.size)
                                       for c in rows], family=families, fontsize=9)
    for y, cohort in enumerate(rows):
        for x, share in enumerate(cohort.retention):
            if share is not None:
                axes.text(x, y, f"{share:.0%}", ha="center", va="center", fontsize=9,
                          color="white" if share > 0.55 else "#1d2733")
    axes.tick_params(length=0)
    for spine in axes.spines.values():
        spine.set_visible(False)
