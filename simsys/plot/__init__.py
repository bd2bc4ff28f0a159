"""simsys.plot: matplotlib functions, Dataset in, Axes (or Figure) out.

Every function draws into ``ax`` when given, otherwise into a new figure, and
never shows it; ``stock_flow_diagram`` writes a Graphviz file instead.
"""
from ._common import GraphvizNotFoundError, PlotError
from .compare import compare_plot
from .coupling import COUPLING_BANDS, coupling_chart
from .diagram import stock_flow_diagram
from .event_study import event_study_plot
from .fan import fan_chart
from .files import plot_file
from .heatmap import heatmap
from .sensitivity import sensitivity_bars
from .style import find_cjk_font, use_cjk_font
from .trajectories import trajectories

__all__ = [
    "COUPLING_BANDS",
    "GraphvizNotFoundError",
    "PlotError",
    "compare_plot",
    "coupling_chart",
    "event_study_plot",
    "fan_chart",
    "find_cjk_font",
    "heatmap",
    "plot_file",
    "sensitivity_bars",
    "stock_flow_diagram",
    "trajectories",
    "use_cjk_font",
]
