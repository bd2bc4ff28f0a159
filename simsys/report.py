"""``simsys report``: one self-contained HTML page on a scenario that a researcher can send.

The page holds the scenario's question, a headline table (2025/2035/2050 and
the change against the comparison run), trajectories, a province map when the
outputs run over the 31 provinces, Moran's I over time with LISA clusters when
spatial weights exist (the model's ``W``, else province contiguity), coupling
coordination bands when the model has the four chain indices, the DiD event
study when the scenario sets a region lever in some regions only, and the
manifest digest of the run. Figures are PNGs embedded as data URIs, so the page
needs no other file; the run's Zarr store and manifest are written beside it.
Sections that do not apply to the model say why instead of failing.
"""
from __future__ import annotations

import base64
import html
import io
import json
import logging
from pathlib import Path

import numpy as np
import xarray as xr

from .errors import SimsysError
from .headline import aggregate, aggregation, percent

__all__ = ["build_report", "YEARS"]

log = logging.getLogger(__name__)
YEARS = (2025, 2035, 2050)
_CHAINS = ("U talent", "U innovation", "U industry", "U capital")


def _png(fig) -> str:
    import matplotlib.pyplot as plt
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _img(fig, alt: str) -> str:
    fig = getattr(fig, "figure", fig)
    return f'<figure><img src="{_png(fig)}" alt="{html.escape(alt)}"></figure>'


def _table(rows, head) -> str:
    th = "".join(f"<th>{html.escape(str(h))}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>"
                   for r in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _at(da: xr.DataArray, year: float) -> xr.DataArray | None:
    t = np.asarray(da["time"].values, dtype=float)
    if year < t[0] - 1e-9 or year > t[-1] + 1e-9:
        return None
    return da.isel(time=int(np.abs(t - year).argmin()))


def _fmt(x) -> str:
    return "-" if x is None or not np.isfinite(x) else f"{x:.4g}"


def _region_dim(da: xr.DataArray) -> str | None:
    other = [d for d in da.dims if d not in ("time", "scenario")]
    return other[0] if len(other) == 1 else None


def _headline(ds, ref, names) -> tuple[str, list[str]]:
    head = ["output", "cell"] + [str(y) for y in YEARS]
    head += [f"{y} vs comparison" for y in YEARS] if ref is not None else []
    rows = []
    for name in names:
        da = ds[name]
        dim = _region_dim(da)
        # per-capita values, shares and indices are averaged over regions, never summed
        how = "national" if dim is None else aggregation(da)

        def whole(x):
            return x if dim is None else aggregate(x)[0]
        cells = [(how, whole(da))]
        if dim is not None:
            cells += [(str(c), da.sel({dim: c})) for c in da[dim].values]
        for label, series in cells:
            vals = [_at(series, y) for y in YEARS]
            row = [name, label] + [_fmt(float(v)) if v is not None else "-" for v in vals]
            if ref is not None:
                r = ref[name]
                rs = r if dim is None else (whole(r) if label == how else r.sel({dim: label}))
                for v, y in zip(vals, YEARS):
                    b = _at(rs, y)
                    row.append("-" if v is None or b is None else
                               percent(float(v), float(b), digits=2))
            rows.append(row)
    return _table(rows, head), head


def _map_section(ds, ref, names) -> str:
    from .geo import match_provinces
    from .plot.maps import tile_map
    for name in names:
        dim = _region_dim(ds[name])
        if dim is None or match_provinces(ds[dim].values.tolist()) is None:
            continue
        last = ds[name].isel(time=-1)
        fig_ax = tile_map(last, title=f"{name}, {float(ds['time'].values[-1]):g}", label=name)
        out = _img(fig_ax.figure, f"map of {name}")
        if ref is not None:
            change = (last / ref[name].isel(time=-1) - 1) * 100
            ax = tile_map(change, cmap="RdBu_r", center=0.0, fmt="{:+.1f}",
                          title=f"{name}: change against the comparison (%)", label="%")
            out += _img(ax.figure, f"map of the change of {name}")
        return out
    return ("<p class=note>No output runs over the 31 provinces (matched by the package's"
            " province table), so the map is skipped.</p>")


def _weights(model, ds, dim):
    from .analysis.reports import weights_of
    from .analysis.spatial import contiguity_weights
    from .geo import match_provinces
    try:
        return weights_of(model, "W"), "the model's W"
    except SimsysError:
        pass
    codes = match_provinces(ds[dim].values.tolist())
    if codes is not None:
        return contiguity_weights(codes), "province contiguity (package table)"
    return None, None


def _spatial_section(model, ds, names, seed) -> str:
    from .analysis.spatial import local_morans, morans_i_over_time
    from .plot.maps import tile_map
    for name in names:
        dim = _region_dim(ds[name])
        if dim is None or ds.sizes[dim] < 4:
            continue
        w, source = _weights(model, ds, dim)
        if w is None:
            return "<p class=note>No spatial weights (no W in the model, no province dimension).</p>"
        da = ds[name].transpose("time", dim)
        mi = morans_i_over_time(da, w, dim=dim, permutations=199, seed=seed)
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(6.4, 3.2), layout="constrained")
        ax.plot(mi["time"], mi["I"], color="C0", label="Moran's I")
        sig = mi["p_sim"] < 0.05
        ax.scatter(mi["time"][sig], mi["I"][sig], color="C3", s=12, zorder=3,
                   label="permutation p < 0.05")
        ax.axhline(float(mi["EI"][0]), color="0.5", ls="--", lw=1, label="E[I]")
        ax.set_xlabel("year")
        ax.set_ylabel("Moran's I")
        ax.legend(fontsize=8, frameon=False)
        out = f"<p>Global Moran's I of <b>{html.escape(name)}</b> (weights: {source}; esda, 199 permutations).</p>"
        out += _img(fig, "Moran's I over time")
        loc = local_morans(da.isel(time=-1).values, w, permutations=199, seed=seed)
        labels = {str(u): c for u, c in zip(ds[dim].values, loc.cluster)}
        from .geo import match_provinces
        if match_provinces(list(labels)) is not None:
            ax = tile_map(labels, title=f"LISA clusters of {name}, final year (p < 0.05)",
                          label="cluster")
            out += _img(ax.figure, "LISA cluster map")
        rows = [[u, f"{i:.3f}", q, f"{p:.3f}", c] for u, i, q, p, c in
                zip(labels, loc.Is, loc.quadrant, loc.p_sim, loc.cluster)]
        out += _table(rows, [dim, "local I", "quadrant", "p (perm.)", "cluster"])
        from .analysis.spatial import QUADRANT_KEY
        out += ("<p class=note>Quadrant: own value, then the neighbours' average, each against "
                "the mean. " + "; ".join(f"<b>{q}</b> {html.escape(k)}"
                                         for q, k in QUADRANT_KEY.items()) + ".</p>")
        return out
    return "<p class=note>No output over a region dimension: no spatial statistics.</p>"


def _coupling_section(ds) -> str:
    from .analysis.reports import coupling_report
    from .plot import coupling_chart
    present = [c for c in _CHAINS if c in ds.data_vars]
    if len(present) < 2:
        if "Coupling coordination D" in ds.data_vars and _region_dim(ds["Coupling coordination D"]):
            return _model_coupling(ds["Coupling coordination D"])
        return "<p class=note>The run has no chain indices (U talent ... U capital).</p>"
    r = coupling_report(ds, present)
    dim = [d for d in r["D"].dims if d != "time"][0]
    last = r.isel(time=-1)
    rows = [[str(g), f"{d:.3f}", f"{en} ({zh})"] for g, d, en, zh in
            zip(last[dim].values, last["D"].values, last["band_en"].values, last["band_zh"].values)]
    return _img(coupling_chart(r["D"]).figure, "coupling coordination") + \
        _table(rows, [dim, "D (final year)", "band"])


def _model_coupling(D) -> str:
    """The model's own coupling coordination degree, when the run kept it but not the indices."""
    from .analysis.coupling import coupling_band
    from .plot import coupling_chart
    dim = _region_dim(D)
    last = D.isel(time=-1)
    band = coupling_band(last)
    rows = [[str(g), f"{float(d):.3f}", f"{en} ({zh})"]
            for g, d, en, zh in zip(last[dim].values, last.values, np.asarray(band.en).ravel(),
                                    np.asarray(band.zh).ravel())]
    return ("<p>The model's own coupling coordination degree D (the run kept D, not the four"
            " chain indices).</p>" + _img(coupling_chart(D).figure, "coupling coordination")
            + _table(rows, [dim, "D (final year)", "band"]))


def _did_section(sc, model, ds, names) -> str:
    from .analysis.policy_eval import did_experiment
    from .plot import event_study_plot
    treated, dim = set(), None
    for key, value in sc.levers.items():
        if isinstance(value, dict):
            try:
                lever = model.lever(key)
            except (KeyError, SimsysError):
                continue
            if len(lever.dims) == 1:
                dim = lever.dims[0]
                treated |= set(value)
    if not treated or dim is None or treated == set(model.ranges[dim]):
        staggered = _staggered_section(sc, model, ds, names)
        if staggered:
            return staggered
        return ("<p class=note>The scenario sets no region lever in some regions only, nor"
                " per-region adoption years, so it defines no treated group: no DiD.</p>")
    t0 = float(model.control.initial_time)
    start = t0 + 3
    cands = [n for n in names if ds[n].dims == ("time", dim)]
    vital = [n for n in cands if "vitality" in n.lower()]
    output = (vital or cands or [None])[0]
    if output is None:
        return "<p class=note>No output over the treated dimension for a DiD.</p>"
    e = did_experiment(sc.path, treated=sorted(treated), start=start, output=output, model=model,
                       dim=dim)
    rows = [["2x2 DiD", _fmt(e.did.estimate), "", ""],
            ["TWFE (pyfixest, CRV1 by region)", _fmt(e.twfe.coef), _fmt(e.twfe.se), _fmt(e.twfe.p)]]
    note = (f"<p>Treated: {', '.join(e.treated)}; control: {', '.join(e.control)}; the reform is"
            f" switched on in {start:g} (three years into the run, so the event study has"
            f" pre-periods) in the treated regions only, on <b>{html.escape(output)}</b>.</p>")
    return note + _table(rows, ["estimator", "effect", "se", "p"]) + \
        _img(event_study_plot(e.event.to_dataset()).figure, "event study")


def _staggered_section(sc, model, ds, names) -> str:
    """Staggered adoption read from a lever of adoption years: TWFE beside did2s."""
    from .analysis.pilot import adoption_from_scenario, region_weights
    from .analysis.spillover import spillover_did
    from .analysis.staggered import staggered_did
    found = adoption_from_scenario(sc, model, float(ds["time"].values[-1]))
    if found is None:
        return ""
    lever, dim, adopt = found
    cands = [n for n in names if set(ds[n].dims) == {"time", dim}]
    output = ([n for n in cands if "vitality" in n.lower()] or cands or [None])[0]
    if output is None:
        return "<p class=note>No output over the adopting dimension for a DiD.</p>"
    res = staggered_did(ds[output].transpose(dim, "time"), adopt, dim=dim)
    rows = [["TWFE (biased under staggered timing)", _fmt(res.twfe.coef), _fmt(res.twfe.se),
             _fmt(res.twfe.p)],
            ["did2s (Gardner two-stage, pyfixest)", _fmt(res.did2s.coef), _fmt(res.did2s.se),
             _fmt(res.did2s.p)]]
    panel = ds[output].transpose(dim, "time")
    try:
        W = region_weights(model, dim, [str(r) for r in panel[dim].values])
        sp = spillover_did(panel, adopt, W, trend="linear", dim=dim)
    except SimsysError as err:  # no weights, or no region that no adopter borders
        spill_note = f"<p class=note>No spillover-aware estimate: {html.escape(str(err))}</p>"
    else:
        spill_note = (f"<p>With unit-specific linear trends; pure controls (no adopter borders"
                      f" them): {html.escape(', '.join(map(str, sp.pure_controls)))}. Taking the"
                      f" neighbours as controls shifts the effect by {_fmt(sp.bias)}.</p>")
        rows += [[label, _fmt(r.coef), _fmt(r.se), _fmt(r.p)] for label, r in (
            ("did2s, unit trends, neighbours as controls", sp.naive),
            ("did2s, unit trends + exposure (Butts 2021)", sp.direct),
            ("spillover onto neighbours (ring 1)", sp.spillover[0]))]
    cohorts: dict = {}
    for r, y in sorted(adopt.items(), key=lambda kv: (kv[1], kv[0])):
        cohorts.setdefault(y, []).append(str(r))
    note = (f"<p>Staggered adoption from <b>{html.escape(lever)}</b>: "
            + "; ".join(f"{y:g}: {', '.join(rs)}" for y, rs in cohorts.items())
            + f"; every other {html.escape(dim)} never adopts within the run. Outcome"
            f" <b>{html.escape(output)}</b>; standard errors clustered by {html.escape(dim)}."
            " Controls are simulated in the same run, so neighbours of adopters feel their"
            " spillovers.</p>")
    ev = res.event
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6.4, 3.2), layout="constrained")
    ax.errorbar(ev["k"], ev["coef"], yerr=[ev["coef"] - ev["ci_low"], ev["ci_high"] - ev["coef"]],
                fmt="o-", capsize=3, label="did2s effect by exposure (95% CI)")
    ax.axhline(0.0, color="0.5", lw=1)
    ax.set_xlabel("years since adoption (k)")
    ax.set_ylabel(output)
    ax.set_title(f"{output}: effect by exposure time")
    ax.legend(fontsize=8, frameon=False)
    return (note + _table(rows, ["estimator", "effect", "se", "p"]) + spill_note
            + _img(fig, "staggered event study"))


def _compare_plot(ds, ref, name, label, comparison):
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6.4, 3.0), layout="constrained")
    suffix = ""
    for run, lab, style in ((ds, label, "-"), (ref, comparison and Path(comparison).stem, "--")):
        if run is None:
            continue
        # the headline's rule: indices, shares and per-capita values are averaged, never summed
        da, how = aggregate(run[name])
        suffix = suffix or how
        ax.plot(da["time"], da, style, label=lab)
    ax.set_title(name + suffix, fontsize=10)
    ax.set_xlabel("year")
    ax.set_ylabel(ds[name].attrs.get("units", "") or name)
    ax.legend(fontsize=8, frameon=False)
    return fig


_CSS = """body{font-family:sans-serif;max-width:980px;margin:2em auto;color:#222}
table{border-collapse:collapse;font-size:12px;margin:.6em 0}td,th{border:1px solid #ccc;
padding:2px 6px;text-align:right}th{background:#f3f3f3}td:first-child,td:nth-child(2){text-align:left}
figure{margin:.6em 0}img{max-width:100%}.note{color:#666;font-style:italic}code{font-size:12px}"""


def build_report(scenario_path, out_dir, *, against=None, seed: int = 0) -> Path:
    """Run a scenario (and its comparison) and write ``<out_dir>/<name>.html``.

    Parameters
    ----------
    scenario_path : path
        The scenario TOML.
    out_dir : path
        Folder for the page, the run's Zarr store and its manifest.
    against : path, optional
        Comparison scenario (default: the file the scenario extends, if any).
    seed : int, default 0
        Seed of the permutation tests.

    Returns
    -------
    Path
        The HTML file.

    Raises
    ------
    SimsysError
        Invalid scenario or model; whatever running them raises.
    """
    import matplotlib
    matplotlib.use("Agg")
    from .export import headline_variables
    from .model.load import load_model
    from .scenario import load_scenario, run_scenario
    sc = load_scenario(scenario_path)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    ds = run_scenario(scenario_path, out_dir=out, command=f"simsys report {scenario_path}")
    manifest = json.loads(ds.attrs.get("simsys_manifest", "{}"))
    comparison = against if against is not None else (sc.chain[0] if sc.chain else None)
    ref = run_scenario(comparison) if comparison is not None else None
    model = load_model(sc.model_path)
    names = ([n for n in (sc.outputs or ()) if n in ds.data_vars] or headline_variables(ds))[:6]
    from .plot import trajectories
    sections = [("Headline", _headline(ds, ref, names)[0])]
    traj = [_img(_compare_plot(ds, ref, name, sc.name, comparison), name) for name in names[:4]]
    traj += [_img(trajectories(ds, name, dim=_region_dim(ds[name])).figure, name)
             for name in names[:4] if _region_dim(ds[name])][:2]
    sections.append(("Trajectories", "".join(traj)))
    sections.append(("Map", _map_section(ds, ref, names)))
    for title, fn in (("Spatial autocorrelation", lambda: _spatial_section(model, ds, names, seed)),
                      ("Coupling coordination", lambda: _coupling_section(ds)),
                      ("Difference-in-differences", lambda: _did_section(sc, model, ds, names))):
        try:
            sections.append((title, fn()))
        except SimsysError as err:
            sections.append((title, f"<p class=note>Not available: {html.escape(str(err))}</p>"))
    digest = manifest.get("results", {})
    top = digest.get("sha256") if isinstance(digest, dict) else None
    short = top if isinstance(top, str) else json.dumps(digest, sort_keys=True)[:400]
    sections.append(("Reproduce", f"<p>Results digest (SHA-256 over every stored variable; the "
                     f"per-variable digests are in the manifest <code>{html.escape(sc.name)}"
                     f".manifest.json</code> beside this page): <code>"
                     f"{html.escape(short)}</code></p><p><code>simsys reproduce "
                     f"{html.escape(sc.name)}.manifest.json</code></p>"))
    question = sc.question or sc.description or sc.name
    cmp_text = (f" against <b>{html.escape(load_scenario(comparison).name)}</b>"
                if comparison is not None else "")
    body = "".join(f"<h2>{html.escape(t)}</h2>{s}" for t, s in sections)
    page = (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{html.escape(sc.name)}"
            f"</title><style>{_CSS}</style></head><body><h1>{html.escape(sc.name)}</h1>"
            f"<p><b>Question.</b> {html.escape(question)}</p><p>Scenario {html.escape(sc.name)}"
            f"{cmp_text}.</p>{body}</body></html>")
    path = out / f"{sc.name}.html"
    path.write_text(page, encoding="utf-8")
    return path
