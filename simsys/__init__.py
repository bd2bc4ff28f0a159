"""simsys: batched, PySD-exact system-dynamics simulation of talent innovation ecosystems.

The pipeline, in order::

    model = simsys.load_model("models/talent_ecosystem.mdl")   # parse -> frozen Model
    cm = simsys.compile_model(model)                            # -> batched functions
    ds = cm.run_batch({"evaluation reform": [0.2, 0.8]})        # -> xarray.Dataset
    df = simsys.to_frame(ds.isel(scenario=0))                   # -> PySD-style DataFrame
"""
from .compile import CompiledModel, compile_model
from .errors import (ModelStructureError, ModelSyntaxError, ScenarioError, SimsysError, SolveError,
                     UnsupportedFeature)
from .model.load import load_model
from .model.spec import Model
from .policy import Ramp, Step, Table
from .results import to_frame
from .scenario_batch import run_scenarios

__version__ = "0.1.0"
__all__ = ["load_model", "compile_model", "to_frame", "run_scenarios", "Model", "CompiledModel", "Step", "Ramp",
           "Table", "SimsysError", "ModelSyntaxError", "ModelStructureError", "UnsupportedFeature",
           "ScenarioError", "SolveError", "__version__"]
