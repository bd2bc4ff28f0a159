"""simsys.analysis: pure computations on simulation output (numpy or xarray in, out).

Coupling coordination degree, spatial autocorrelation and inequality,
difference-in-differences (with spatial spillovers), resilience after a shock, global sensitivity
analysis, and the diversity and openness traits.
"""
from .coupling import (BAND_LABELS, CouplingBand, CouplingResult, coupling_band,
                       coupling_degree, minmax_index)
from .did import DidResult, EventStudyResult, TwfeResult, did_2x2, event_study, twfe
from .staggered import TRENDS, StaggeredResult, staggered_did
from .spillover import SpilloverResult, spillover_did
from .diversity import cross_region_flows, openness_share, shannon_index
from .inequality import gini, theil
from .calibrate import CalibrationResult, calibrate, load_calibration
from .loops import Loop, find_loops, loop_polarity
from .pilot import PilotExperiment, pilot_experiment
from .policy_eval import did_experiment, resilience_experiment
from .resilience import recovery
from .sensitivity import SAMPLERS, morris_indices, sample_design, sobol_indices
from .spatial import (LocalMoranResult, MoranResult, contiguity_weights, local_morans,
                      local_morans_over_time, morans_i, morans_i_over_time, row_standardise,
                      weights)

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
