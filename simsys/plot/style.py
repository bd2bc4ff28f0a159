"""Fonts, colours and the few translated labels the plots share.

Chinese labels need a CJK font, which matplotlib does not ship. ``find_cjk_font``
looks for one among the installed fonts; the plot functions ask for it only when
called with ``lang="zh"`` and fall back to English (with a logged warning) when
there is none. Chinese text that comes from the data (variable or region names) has
no English to fall back to: without a CJK font it is drawn as empty boxes, with the
same one logged warning instead of one matplotlib warning per missing glyph. On
Debian/Ubuntu ``apt-get install fonts-wqy-microhei`` (1.6 MB) provides one.
"""
from __future__ import annotations

import contextlib
import functools
import logging
import re
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path

import matplotlib
from matplotlib import font_manager

from ._common import PlotError

__all__ = [
    "CJK_FONT_FAMILIES",
    "LANGS",
    "PALETTE",
    "find_cjk_font",
    "use_cjk_font",
    "series_colors",
    "text",
]

log = logging.getLogger(__name__)

#: Font family names tried in order; the first one installed wins.
CJK_FONT_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Sans CJK",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Source Han Sans",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
    "STHeiti",
    "Droid Sans Fallback",
    "AR PL UMing CN",
)

# Substrings of font file names that hold one of the families above; used to
# register fonts installed after matplotlib built its font cache.
_CJK_FILE_HINTS = ("notosanscjk", "sourcehansans", "wqy", "simhei", "msyh", "pingfang",
                   "stheiti", "droidsansfallback", "uming")

#: Colour-blind safe (Okabe-Ito) colours, then tab10 for more series.
PALETTE: tuple[str, ...] = (
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9",
    "#D55E00", "#F0E442", "#000000",
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
    "#7f7f7f", "#bcbd22", "#17becf",
)

LANGS = ("en", "zh")

# Shared labels: key -> (English, Chinese).
_TEXT: dict[str, tuple[str, str]] = {
    "year": ("Year", "年份"),
    "total": ("Total", "合计"),
    "mean": ("Mean", "平均"),
    "median": ("Median", "中位数"),
    "percentile_band": ("{lo:g}–{hi:g}th percentile", "{lo:g}–{hi:g} 百分位区间"),
    "scenario": ("{n} scenario", "{n} 个情景"),
    "scenarios": ("{n} scenarios", "{n} 个情景"),
    "region": ("Region", "地区"),
    "province": ("Province", "省份"),
    "coupling_degree": ("Coupling coordination degree D", "耦合协调度 D"),
    "coefficient": ("Coefficient", "系数"),
    "relative_period": ("Period relative to treatment (k)", "相对政策实施的期数 (k)"),
    "ci95": ("Bars: 95% confidence interval", "误差线：95% 置信区间"),
    "pre": ("Before treatment", "政策前"),
    "post": ("After treatment", "政策后"),
    "reference": ("k = {k:g}: reference (omitted)", "k = {k:g}: 基准期（省略）"),
    "treatment": ("Treatment", "政策实施"),
    "sensitivity_index": ("Sensitivity index", "敏感性指数"),
    "first_order": ("First order S1", "一阶指数 S1"),
    "total_order": ("Total order ST", "总效应指数 ST"),
    "mu_star": ("μ* (mean |elementary effect|)", "μ*（基本效应绝对值均值）"),
    "sigma": ("σ (std of elementary effects)", "σ（基本效应标准差）"),
    "parameter": ("Parameter", "参数"),
}


def text(key: str, lang: str = "en", **fmt) -> str:
    """Return the shared label ``key`` in ``lang``, formatted with ``fmt``.

    Raises
    ------
    PlotError
        If ``key`` or ``lang`` is unknown.
    """
    if key not in _TEXT:
        raise PlotError(f"unknown label key {key!r}; known: {', '.join(sorted(_TEXT))}")
    en, zh = _TEXT[key]
    template = {"en": en, "zh": zh}.get(lang)
    if template is None:
        raise PlotError(f"lang must be one of {LANGS}, found {lang!r}")
    return template.format(**fmt) if fmt else template


def series_colors(names: Sequence[object]) -> dict[object, str]:
    """Give each name a colour, by position, so a region keeps its colour across plots.

    Up to ``len(PALETTE)`` names take the colour-blind-safe palette; more (31 provinces) take
    distinct colours from matplotlib's tab20 and tab20b, so no two lines share a colour.
    """
    names = list(names)
    if len(names) <= len(PALETTE):
        return {name: PALETTE[i] for i, name in enumerate(names)}
    import matplotlib
    from matplotlib.colors import to_hex
    many = [to_hex(c) for m in ("tab20", "tab20b", "tab20c") for c in matplotlib.colormaps[m].colors]
    return {name: many[i % len(many)] for i, name in enumerate(names)}


@functools.cache
def find_cjk_font() -> str | None:
    """Return the family name of an installed CJK font, or None.

    Fonts installed after matplotlib cached its font list are found by scanning
    the system font folders and registering the matching files.
    """
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FONT_FAMILIES:
        if family in installed:
            return family
    added = False
    for path in font_manager.findSystemFonts():
        stem = Path(path).name.lower().replace("-", "").replace("_", "")
        if any(hint in stem for hint in _CJK_FILE_HINTS):
            try:
                font_manager.fontManager.addfont(path)
                added = True
            except (OSError, RuntimeError, ValueError):  # unreadable or unsupported file
                log.debug("could not register font file %s", path)
    if added:
        installed = {f.name for f in font_manager.fontManager.ttflist}
        for family in CJK_FONT_FAMILIES:
            if family in installed:
                return family
    return None


def use_cjk_font() -> bool:
    """Make matplotlib use an installed CJK font for every later figure.

    Puts the font first in ``rcParams["font.sans-serif"]`` (Latin glyphs then
    come from it too; anything it lacks falls back to DejaVu Sans).

    Returns
    -------
    bool
        True if a CJK font was found and set, False if none is installed (the
        settings are left unchanged; keep to English labels).
    """
    family = find_cjk_font()
    if family is None:
        log.warning("no CJK font installed; keeping English labels "
                    "(on Debian/Ubuntu: apt-get install fonts-wqy-microhei)")
        return False
    rc = matplotlib.rcParams
    rc["font.sans-serif"] = [family] + [f for f in rc["font.sans-serif"] if f != family]
    rc["font.family"] = ["sans-serif"]
    rc["axes.unicode_minus"] = False
    return True


def resolve_lang(lang: str) -> str:
    """Return the language a plot will actually use: ``"zh"`` needs a CJK font.

    Raises
    ------
    PlotError
        If ``lang`` is not one of ``LANGS``.
    """
    if lang not in LANGS:
        raise PlotError(f"lang must be one of {LANGS}, found {lang!r}")
    if lang == "zh" and find_cjk_font() is None:
        log.warning("lang='zh' asked but no CJK font is installed; using English labels "
                    "(on Debian/Ubuntu: apt-get install fonts-wqy-microhei)")
        return "en"
    return lang


@contextlib.contextmanager
def font_context(lang: str) -> Iterator[None]:
    """Create text inside this block with a CJK-capable font.

    With ``lang == "zh"`` the CJK font comes first; otherwise it is only a
    fallback after the user's fonts, so Chinese variable or region names still
    show in an English plot. Text objects take their font family when they are
    made, so the setting stays with the figure after the block ends without
    touching global state.
    """
    family = find_cjk_font()
    if family is None:
        yield
        _warn_once_if_cjk_text()
        return
    current = [f for f in matplotlib.rcParams["font.family"] if f != family]
    families = [family, *current] if lang == "zh" else [*current, family]
    with matplotlib.rc_context({"font.family": families, "axes.unicode_minus": False}):
        yield


_CJK = re.compile("[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")
# matplotlib's "Glyph 20154 (\\N{CJK UNIFIED IDEOGRAPH-4EBA}) missing from font(s) ...";
# only CJK ideographs and their punctuation, so other missing glyphs still warn
_CJK_GLYPH_WARNING = r"Glyph \d+ \(\\N\{(CJK|FULLWIDTH|IDEOGRAPHIC|HALFWIDTH)"


def _warn_once_if_cjk_text() -> None:
    """With no CJK font: one logged warning for Chinese text in open figures, not one per glyph."""
    from matplotlib._pylab_helpers import Gcf  # the open figures, without changing the current one
    from matplotlib.text import Text
    for manager in Gcf.get_all_fig_managers():
        fig = manager.canvas.figure
        if any(_CJK.search(t.get_text() or "") for t in fig.findobj(Text)):
            warnings.filterwarnings("ignore", message=_CJK_GLYPH_WARNING, category=UserWarning)
            _log_no_cjk_font()
            return


@functools.cache
def _log_no_cjk_font() -> None:
    log.warning("Chinese text in a plot but no CJK font is installed; it shows as boxes "
                "(on Debian/Ubuntu: apt-get install fonts-wqy-microhei)")
