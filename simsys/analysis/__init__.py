"""simsys.analysis: pure computations on simulation output (numpy or xarray in, out).

Coupling coordination degree, spatial autocorrelation and inequality,
difference-in-differences (with spatial spillovers), resilience after a shock, global sensitivity
analysis, and the diversity and openness traits.
"""
#: public name -> the submodule defining it; imported on first use (PEP 562), so that
#: `import simsys.analysis.x` and the CLI do not load scipy.stats, networkx and pyfixest
#: for commands that never use them
_WHERE = {
    "BAND_LABELS": "coupling", "CouplingBand": "coupling", "CouplingResult": "coupling",
    "coupling_band": "coupling", "coupling_degree": "coupling", "minmax_index": "coupling",
    "DidResult": "did", "EventStudyResult": "did", "TwfeResult": "did", "did_2x2": "did",
    "event_study": "did", "twfe": "did", "TRENDS": "staggered", "StaggeredResult": "staggered",
    "staggered_did": "staggered", "SpilloverResult": "spillover", "spillover_did": "spillover",
    "cross_region_flows": "diversity", "openness_share": "diversity", "shannon_index": "diversity",
    "gini": "inequality", "theil": "inequality", "CalibrationResult": "calibrate",
    "calibrate": "calibrate", "load_calibration": "calibrate", "Loop": "loops",
    "find_loops": "loops", "loop_polarity": "loops", "PilotExperiment": "pilot",
    "pilot_experiment": "pilot", "did_experiment": "policy_eval",
    "resilience_experiment": "policy_eval", "recovery": "resilience", "SAMPLERS": "sensitivity",
    "morris_indices": "sensitivity", "sample_design": "sensitivity",
    "sobol_indices": "sensitivity", "LocalMoranResult": "spatial", "MoranResult": "spatial",
    "local_morans": "spatial",
    "local_morans_over_time": "spatial", "morans_i": "spatial", "morans_i_over_time": "spatial",
}

# light (numpy, xarray), and imported now on purpose: the function ``weights`` shares its name
# with the submodule ``weights``, and a package attribute set before the submodule's first
# import is never replaced by it
from .weights import contiguity_weights, row_standardise, weights  # noqa: E402

__all__ = [
    "BAND_LABELS", "CouplingBand", "CouplingResult", "coupling_band", "coupling_degree",
    "minmax_index",
    "DidResult", "EventStudyResult", "SpilloverResult", "StaggeredResult", "TRENDS", "TwfeResult",
    "did_2x2", "event_study", "spillover_did", "staggered_did", "twfe",
    "cross_region_flows", "openness_share", "shannon_index",
    "gini", "theil",
    "recovery",
    "CalibrationResult", "calibrate", "load_calibration",
    "Loop", "find_loops", "loop_polarity",
    "PilotExperiment", "did_experiment", "pilot_experiment", "resilience_experiment",
    "SAMPLERS", "morris_indices", "sample_design", "sobol_indices",
    "LocalMoranResult", "MoranResult", "contiguity_weights", "local_morans",
    "local_morans_over_time", "morans_i", "morans_i_over_time", "row_standardise", "weights",
]


def __getattr__(name):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
