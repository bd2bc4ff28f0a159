"""How headline numbers are aggregated over regions and written."""
import numpy as np
import xarray as xr

from simsys.cli.options import table
from simsys.headline import aggregate, aggregation, percent, signed, unsigned_zero


def _da(name, doc=""):
    return xr.DataArray(np.array([[1.0, 3.0], [2.0, 6.0]]), dims=("time", "Region"),
                        name=name, attrs={"doc": doc, "units": "Dmnl"})


def test_per_capita_shares_and_indices_are_averaged_extensive_ones_summed():
    assert aggregation(_da("Vitality per capita")) == "mean"
    assert aggregation(_da("Openness share")) == "mean"
    assert aggregation(_da("U talent", "Normalised talent chain index in [0, 1].")) == "mean"
    assert aggregation(_da("RD talent", "R&D talent.")) == "sum"
    mean, label = aggregate(_da("Vitality per capita"))
    np.testing.assert_allclose(mean.values, [2.0, 4.0])
    assert label == " (mean over Region)"
    total, label = aggregate(_da("RD talent"))
    np.testing.assert_allclose(total.values, [4.0, 8.0])
    assert label == " (sum over Region)"


def test_no_negative_zero():
    assert percent(0.065 - 1e-17, 0.065) == "0.0%"
    assert percent(1.1, 1.0) == "+10.0%"
    assert percent(0.9, 1.0) == "-10.0%"
    assert percent(1.0, 0.0) == "-"
    assert signed(-1e-20, scale=0.065) == "0" and signed(-1e-20) == "-1e-20" and signed(0.5) == "+0.5" and signed(-2.0) == "-2"


def test_table_wraps_to_the_width():
    rows = [["a lever with a rather long name " * 4, "0.2", "a long description " * 6]]
    text = table(rows, ["lever", "default", "doc"], width=80)
    assert max(len(ln) for ln in text.splitlines()) <= 80
    assert text.split().count("lever") == 5  # header + 4: nothing lost in the wrapping


def test_chinese_cells_are_measured_in_terminal_columns():
    from simsys.cli.options import display_width
    rows = [["研发人才", "R&D talent (研发人才), application talent (科技中介人才) " * 3]]
    text = table(rows, ["name", "doc"], width=40)
    lines = text.splitlines()
    assert display_width("研发人才") == 8
    assert max(display_width(ln) for ln in lines) <= 40
    # the second column starts at the same terminal column on every line
    assert lines[2].startswith("研发人才  R&D")  # 8 columns of name, then the gap
    assert all(ln.startswith(" " * 10) and ln[10] != " " for ln in lines[3:])
    # nothing is lost: the second column's pieces put together give the cell back
    start = len("研发人才  ")  # characters before the second column on the first row
    pieces = [lines[2][start:]] + [ln.strip() for ln in lines[3:]]
    assert "".join(pieces).replace(" ", "") == rows[0][1].replace(" ", "")


def test_levers_and_describe_fit_an_80_column_terminal(monkeypatch):
    from pathlib import Path

    from click.testing import CliRunner

    from simsys.cli import cli
    from simsys.cli.options import display_width
    monkeypatch.setenv("COLUMNS", "80")
    model = Path(__file__).resolve().parent / "models" / "chinese_text.mdl"
    for cmd in ("levers", "describe"):
        res = CliRunner().invoke(cli, [cmd, str(model)])
        assert res.exit_code == 0, res.output
        assert max(display_width(ln) for ln in res.output.splitlines()) <= 80, res.output


def test_a_formatted_zero_has_no_sign():
    assert [unsigned_zero(t) for t in ("-0.0", "+0.00%", "-0", "-0.1", "+1.5", "12", "-0.0e+00")] \
        == ["0.0", "0.00%", "0", "-0.1", "+1.5", "12", "0.0e+00"]


def test_run_headline_follows_the_one_aggregation_rule():
    """`simsys run`'s terminal table averages an index over regions and sums a stock (the rule
    compare and report use), so vitality per province is never reported as a meaningless sum."""
    import numpy as np
    import xarray as xr
    from simsys.export import headline_summary
    t = np.array([0.0, 1.0])
    ds = xr.Dataset({
        "Vitality": (("time", "Province"), [[100.0, 50.0], [120.0, 60.0]], {"doc": "Vitality, an index of outcomes.", "kind": "stock"}),
        "Talent": (("time", "Province"), [[10.0, 20.0], [11.0, 22.0]], {"doc": "Researchers.", "kind": "stock"}),
    }, coords={"time": t, "Province": ["A", "B"]})
    rows = {r[0]: r for r in headline_summary(ds)}
    assert rows["Vitality (mean over Province)"][2:4] == ["75", "90"]
    assert rows["Talent (sum over Province)"][2:4] == ["30", "33"]
