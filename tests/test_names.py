"""Which variables of a results file are the model's and which are simsys's bookkeeping."""
import numpy as np
import xarray as xr

from simsys.export import headline_variables
from simsys.names import is_internal, user_variables


def _ds(with_model_design=False):
    data = {"Stock": (("scenario", "time"), np.ones((2, 3)), {"kind": "stock"}),
            "simsys_status": ("scenario", np.zeros(2, dtype=int)),
            "simsys_chunk_done": ("chunk", np.ones(1, dtype=bool)),
            "design": (("scenario", "parameter"), np.zeros((2, 1)))}
    if with_model_design:
        data["design"] = (("scenario", "time"), np.ones((2, 3)), {"kind": "auxiliary"})
    return xr.Dataset(data, coords={"time": [0.0, 1.0, 2.0]})


def test_bookkeeping_is_left_out_of_user_lists():
    ds = _ds()
    assert user_variables(ds) == ["Stock"]
    assert is_internal(ds, "design") and is_internal(ds, "simsys_status")
    assert not is_internal(ds, "Stock")


def test_a_model_variable_called_design_stays_a_model_variable():
    ds = _ds(with_model_design=True)
    assert user_variables(ds) == ["Stock", "design"]


def test_headline_outputs_never_show_bookkeeping():
    ds = _ds().drop_vars("Stock")
    ds["Flow"] = (("scenario", "time"), np.ones((2, 3)), {"kind": "auxiliary"})
    assert headline_variables(ds) == ["Flow"]  # simsys_status has no kind, but is not an output
