"""FINAL TIME, SAVEPER and TIME STEP used inside equations follow the run's settings, as in PySD.

The oracle is PySD itself, run on the same model with the same overrides.
"""
from pathlib import Path

import numpy as np
import pysd
import pytest

import simsys

MODEL = Path(__file__).with_name("control_values.mdl")
SETTINGS = [{}, dict(final_time=6.0), dict(final_time=6.0, time_step=0.25, saveper=0.5),
            dict(saveper=2.0), dict(time_step=0.125)]


@pytest.fixture(scope="module")
def pysd_python(tmp_path_factory):
    """PySD's translation of the model, made in a scratch folder (PySD writes next to the file)."""
    path = tmp_path_factory.mktemp("pysd") / MODEL.name
    path.write_text(MODEL.read_text())
    return pysd.read_vensim(str(path)).py_model_file


@pytest.mark.parametrize("backend", ["numpy", "auto"])
@pytest.mark.parametrize("settings", SETTINGS, ids=lambda s: ",".join(f"{k}={v}" for k, v in s.items()) or "model")
def test_control_values_follow_run_settings(pysd_python, settings, backend):
    ref = pysd.load(pysd_python).run(**settings)  # a fresh model: PySD keeps a run's overrides
    ds = simsys.load_model(MODEL).compile(backend).run(**settings)
    np.testing.assert_allclose(ds["time"].values, ref.index.to_numpy(dtype=float), atol=1e-12)
    for col in ("horizon", "report step", "step size", "stock"):
        np.testing.assert_allclose(ds[col].values, ref[col].to_numpy(dtype=float), rtol=1e-12,
                                   atol=1e-12, err_msg=col)


def test_control_values_are_not_settable_constants():
    cm = simsys.load_model(MODEL).compile("numpy")
    with pytest.raises(simsys.SimsysError, match="no constant or lever"):
        cm.run({"FINAL TIME": 3.0})


def test_batch_follows_run_settings():
    cm = simsys.load_model(MODEL).compile("numpy")
    ds = cm.run_batch({}, scenario_index=np.arange(3), final_time=4.0)
    np.testing.assert_allclose(ds["horizon"].isel(scenario=2).values, 4.0 - ds["time"].values)
