"""Analysis commands: sensitivity, calibrate, did, staggered, loops, resilience (one library call each)."""
from __future__ import annotations

import warnings
from pathlib import Path

import click

from ..analysis.staggered import TRENDS
from ..wording import count
from .options import table

__all__ = ["commands"]


def _g(x) -> str:
    return f"{x:.4g}" if isinstance(x, float) else str(x)


def _save(ax_or_fig, path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    fig = getattr(ax_or_fig, "figure", ax_or_fig)
    fig.savefig(path, dpi=150, bbox_inches="tight")
    click.echo(f"plot: {path}")


def _store_output(store, output, time, sampler):
    from ..analysis.stores import store_output
    from ..errors import SweepError
    ds, design, da = store_output(store, output, time=time, sampler=sampler)
    if da.size and float(da.max() - da.min()) == 0.0:
        raise SweepError(f"{output} is the same in every scenario ({float(da.min()):.4g}): no "
                         "parameter of this sweep moves it, so no index is defined",
                         location=store, variable=output)
    return ds, design, da


@click.command("sensitivity")
@click.argument("store", type=click.Path(exists=True, file_okay=False))
@click.option("--output", "output", required=True, metavar="VAR",
              help='Output variable in the store, e.g. "Total vitality" or "Talent innovation vitality[Beijing]".')
@click.option("--method", type=click.Choice(["sobol", "morris", "delta", "pawn", "rbd_fast", "hdmr"]),
              default="sobol", show_default=True,
              help="sobol needs a saltelli sweep, morris a morris sweep; delta, pawn, rbd_fast "
                   "and hdmr take a latin, montecarlo or sobol sweep.")
@click.option("--time", "time", type=float, default=None,
              help="Time at which to take the output (default: the last saved time).")
@click.option("--plot", "plot", type=click.Path(dir_okay=False), default=None,
              help="Write a bar chart of the indices (PNG).")
def sensitivity(store, output, method, time, plot):
    """Global sensitivity indices of one output of a finished sweep STORE.

    \b
    Which sweep each method needs, and what n means there:
      sobol     sampler = "saltelli": n base points, n (2D + 2) scenarios (n (D + 2) without
                second order); warns when the intervals are too wide and suggests an n
      morris    sampler = "morris": n trajectories, n (D + 1) scenarios
      delta, pawn, rbd_fast, hdmr
                sampler = "latin", "montecarlo" or "sobol": n scenarios (hdmr needs 300+)

    \b
    Examples:
      simsys sensitivity runs/levers.zarr --output "Total vitality" --time 2050
      simsys sensitivity runs/levers.zarr --output "Talent innovation vitality[Beijing]" --plot sobol.png
      simsys sensitivity runs/screen.zarr --output "Total vitality" --method morris
      simsys sensitivity runs/latin.zarr --output "Total vitality" --method delta
    """
    from ..analysis.given_sample import GIVEN_SAMPLE_METHODS, GIVEN_SAMPLE_SAMPLERS, \
        given_sample_indices
    from ..analysis.sensitivity import morris_indices, sobol_indices
    from ..analysis.sobol_checks import SobolSampleWarning
    samplers = {"sobol": "saltelli", "morris": "morris"}.get(method, GIVEN_SAMPLE_SAMPLERS)
    ds, design, Y = _store_output(store, output, time, samplers)
    if method == "sobol":
        with warnings.catch_warnings():  # printed below, from the result, as one line each
            warnings.simplefilter("ignore", SobolSampleWarning)
            result = sobol_indices(Y, design)
        keys, rank = ["S1", "S1_conf", "ST", "ST_conf"], "ST"
    elif method == "morris":
        result = morris_indices(Y, ds["design"].values, design)
        keys, rank = ["mu_star", "mu_star_conf", "sigma", "mu"], "mu_star"
    else:
        result = given_sample_indices(Y, ds["design"].values, design, method)
        keys = list(GIVEN_SAMPLE_METHODS[method][1])
        rank = keys[0]
    order = result[rank].values.argsort()[::-1]
    names = [str(n) for n in result["parameter"].values]
    rows = [[names[i]] + [_g(float(result[k].values[i])) for k in keys] for i in order]
    n_rows = int(Y.sizes.get("scenario", len(Y)))
    heading = (f"{method} indices of {output} from {count(n_rows, 'scenario')} "
               f"({design.get('method')} sampler, n = {design.get('n')})")
    click.echo(heading)
    click.echo(table(rows, ["parameter"] + keys))
    for line in result.attrs.get("warnings", []):
        click.echo(f"simsys: warning: {line}", err=True)
    kind = method
    if plot and kind not in ("sobol", "morris"):
        raise click.UsageError(f"--plot draws sobol and morris indices; {method} is shown as a table")
    if plot:
        from ..plot import sensitivity_bars
        data = {k: result[k].values for k in keys + (["sigma"] if kind == "morris" else [])}
        ax = sensitivity_bars(data, kind=kind, names=names)
        at = f", t = {float(Y['time']):g}" if "time" in Y.coords and Y["time"].size == 1 else ""
        ax.set_title(heading + at, fontsize=10)  # the figure names its output, time and n
        _save(ax, plot)


@click.command("calibrate")
@click.argument("calibration", type=click.Path(dir_okay=False))
@click.option("--out", "out", type=click.Path(dir_okay=False), default=None,
              help="Write the fitted levers as a scenario file extending the base scenario.")
@click.option("--starts", type=click.IntRange(1, 1000), default=None,
              help="Number of multi-start points (default: the file's, else 5).")
@click.option("--seed", type=int, default=None, help="Seed of the start points.")
def calibrate(calibration, out, starts, seed):
    """Fit levers so the base scenario reproduces the targets in CALIBRATION.

    \b
    Examples:
      simsys calibrate scenarios/calibration/national_2021.toml
      simsys calibrate scenarios/calibration/national_2021.toml --out fitted.toml \\
          --starts 10
    """
    from ..analysis.calibrate import calibrate as fit
    from ..analysis.calibrate import explain_se
    res = fit(calibration, starts=starts, seed=seed)
    notes = {n: explain_se(res, n) for n in res.names}
    click.echo(table([[n, _g(res.values[n]), _g(res.se[n]) if not notes[n] else "n/a",
                       f"[{lo:g}, {hi:g}]"] for n, (lo, hi) in zip(res.names, res.bounds)],
                     ["parameter", "fitted", "std. error", "bounds"]))
    for n, note in notes.items():
        if note:
            click.echo(f"{n}: no standard error: {note}")
    click.echo("")
    click.echo(table([[f.target, _g(f.time), _g(f.value), _g(f.fitted), _g(f.residual)]
                      for f in res.fits], ["target", "time", "value", "fitted", "residual"]))
    click.echo(f"\ncost {res.cost:.6g} ({'converged' if res.success else 'NOT converged'}: "
               f"{res.message}); standard errors are a local Jacobian approximation")
    if out:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(res.to_scenario_toml(out), encoding="utf-8")
        click.echo(f"scenario: {out}")


def _regions(ctx, param, value):
    if value is None:
        return None
    items = [v.strip() for v in value.split(",") if v.strip()]
    if not items:
        raise click.BadParameter("give one or more regions separated by commas, e.g. Zhejiang,Anhui")
    return items


@click.command("did")
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--treated", required=True, callback=_regions, metavar="R1,R2",
              help="Regions that adopt the reform (comma-separated).")
@click.option("--from", "start", required=True, type=float, help="Year the reform starts.")
@click.option("--output", required=True, metavar="VAR",
              help="Output over the regions (e.g. Province) and time.")
@click.option("--control", callback=_regions, default=None, metavar="R3,R4",
              help="Control regions (default: all others).")
@click.option("--baseline", type=click.Path(dir_okay=False), default=None,
              help="Baseline scenario (default: the one SCENARIO extends).")
@click.option("--plot", "plot", type=click.Path(dir_okay=False), default=None,
              help="Write the event-study plot (PNG).")
@click.option("--exclude-neighbours", is_flag=True,
              help="Drop controls linked to a treated region in the model's W (spillovers).")
@click.option("--dim", default=None, metavar="RANGE",
              help="Subscript range of the regions (default: the output's, e.g. Province).")
def did(scenario, treated, start, output, control, baseline, plot, exclude_neighbours, dim):
    """Apply SCENARIO's reform in some regions only and estimate its effect by DiD.

    The scenario's regionally subscripted lever settings switch on in the treated
    regions at --from; all other regions keep the baseline. Prints the 2x2
    estimate, two-way fixed effects with region-clustered standard errors, and
    the event study (reference period k = -1).

    \b
    Examples:
      simsys did scenarios/evaluation_reform.toml --treated Zhejiang,Anhui,Sichuan --from 2025 \\
          --output "Talent innovation vitality"
      simsys did scenarios/incentive_reform.toml --treated Hubei --from 2026 --output "Value added" \\
          --plot event.png
    """
    from ..analysis.policy_eval import did_experiment
    e = did_experiment(scenario, treated=treated, start=start, output=output, control=control,
                       baseline=baseline, exclude_neighbours=exclude_neighbours, dim=dim)
    d, t = e.did, e.twfe
    click.echo(f"treated: {', '.join(e.treated)}   control: {', '.join(e.control)}   "
               f"from {e.start:g}")
    click.echo(table([["2x2 DiD", _g(d.estimate), "", ""],
                      ["TWFE", _g(t.coef), _g(t.se), _g(t.p)]],
                     ["estimator", "effect", "clustered se", "p"]))
    ev = e.event
    click.echo("\nevent study:")
    click.echo(table([[int(k), _g(float(c)), _g(float(s)), _g(float(lo)), _g(float(hi))]
                      for k, c, s, lo, hi in zip(ev.k, ev.coef, ev.se, ev.ci_low, ev.ci_high)],
                     ["k", "coef", "se", "ci low", "ci high"]))
    if t.n_clusters < 10 or len(e.treated) == 1:
        click.echo(f"note: {count(t.n_clusters, 'region')} ({len(e.treated)} treated): clustered "
                   "standard errors are unreliable with so few clusters")
    if plot:
        from ..plot import event_study_plot
        _save(event_study_plot(ev.to_dataset()), plot)


def _window(ctx, param, value):
    if value is None:
        return None
    try:
        first, last = (float(v) for v in value.split(":"))
    except ValueError:
        raise click.BadParameter(f"give FIRST:LAST years, e.g. 2016:2032; found {value!r}") from None
    return first, last


@click.command("staggered")
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--output", required=True, metavar="VAR",
              help="Output over the regions (e.g. Province) and time.")
@click.option("--baseline", type=click.Path(dir_okay=False), default=None,
              help="Baseline scenario (default: the one SCENARIO extends).")
@click.option("--years", callback=_window, default=None, metavar="FIRST:LAST",
              help="Time window of the panel (default: the whole run).")
@click.option("--trend", type=click.Choice(list(TRENDS)), default="linear", show_default=True,
              help="Unit-specific trends in did2s's first stage (regions that grow at their "
                   "own pace have no parallel trends in levels).")
@click.option("--rings", type=click.IntRange(1, 10), default=1, show_default=True,
              help="Exposure rings: untreated regions within this many contiguity steps of "
                   "a treated one are exposed, not controls.")
def staggered(scenario, output, baseline, years, trend, rings):
    """Read a staggered pilot SCENARIO as a DiD, with the spillover onto neighbours.

    SCENARIO sets a per-region lever of adoption years (e.g. "Reform start year").
    Prints TWFE and did2s with every untreated region as a control, did2s with
    Butts's exposure rings (the direct effect, identified by regions no treated one
    reaches, and the spillover per ring), and beside each the model's own effect:
    the pilot minus the baseline on the same region-years.

    \b
    Examples:
      simsys staggered scenarios/did_staggered_pilot.toml --output "Talent innovation vitality" \\
          --years 2016:2032
    """
    from ..analysis.pilot import pilot_experiment
    e = pilot_experiment(scenario, output=output, baseline=baseline, years=years, trend=trend,
                         rings=rings)
    cohorts: dict = {}
    for r, y in sorted(e.adoption.items(), key=lambda kv: (kv[1], kv[0])):
        cohorts.setdefault(y, []).append(str(r))
    click.echo(f"adoption from {e.lever}: " + "; ".join(f"{y:g}: {', '.join(rs)}"
                                                         for y, rs in cohorts.items()))
    sp, st = e.spillover, e.staggered
    click.echo(f"pure controls: {', '.join(map(str, sp.pure_controls))}   trend: {trend}")
    rows = [["TWFE", st.twfe, e.true_direct],
            ["did2s, neighbours as controls", sp.naive, e.true_direct],
            ["did2s + exposure (Butts 2021)", sp.direct, e.true_direct]]
    rows += [[f"spillover, ring {r}", s, t]
             for r, (s, t) in enumerate(zip(sp.spillover, e.true_spillover), start=1)]
    click.echo(table([[name, _g(r.coef), _g(r.se), _g(r.p), _g(t)] for name, r, t in rows],
                     ["estimator", "effect", "clustered se", "p", "model's own"]))
    click.echo(f"bias of taking the neighbours as controls (naive - direct): {_g(sp.bias)}")


@click.command("loops")
@click.argument("model", type=click.Path(dir_okay=False))
@click.option("--max-loops", type=click.IntRange(1, 100000), default=200, show_default=True,
              help="At most this many loops (the shortest are kept).")
def loops(model, max_loops):
    """List the feedback loops of MODEL with their polarity (R reinforcing, B balancing).

    Link signs are finite-difference derivatives of the model's equations at
    points of its default run; "?" marks a loop with a link whose sign changes
    or that is inactive there.

    \b
    Examples:
      simsys loops models/talent_ecosystem.mdl
      simsys loops tests/analysis/models/population.mdl --max-loops 10
    """
    from ..analysis.loops import find_loops
    from ..model.load import load_model
    found = find_loops(load_model(model), max_loops=max_loops)
    for lp in found:
        chain = "".join(f"{v} -({s})-> " for v, s in zip(lp.variables, lp.links))
        click.echo(f"{lp.name:>4}  {lp.polarity}  length {lp.length:<3} {chain}{lp.variables[0]}")
    counts = {p: sum(lp.polarity == p for lp in found) for p in "RB?"}
    click.echo(f"{count(len(found), 'loop')}: {counts['R']} reinforcing, {counts['B']} balancing, "
               f"{counts['?']} undetermined")


@click.command("resilience")
@click.argument("shock", type=click.Path(dir_okay=False))
@click.option("--output", required=True, metavar="VAR", help="Variable whose recovery to measure.")
@click.option("--shock-time", required=True, type=float, help="When the shock hits.")
@click.option("--baseline", type=click.Path(dir_okay=False), default=None,
              help="Unshocked scenario (default: the one SHOCK extends).")
@click.option("--fraction", type=click.FloatRange(0, 1, min_open=True, max_open=True),
              default=0.1, show_default=True,
              help="Recovered when the gap is back within this fraction of its largest value.")
def resilience(shock, output, shock_time, baseline, fraction):
    """Depth, recovery time and half-life of VAR after the shock in SHOCK.

    \b
    Examples:
      simsys resilience scenarios/technology_blockade.toml --output "Talent innovation vitality" \\
          --shock-time 2030
      simsys resilience shock.toml --output "Value added" --shock-time 2030 --fraction 0.05
    """
    from ..analysis.policy_eval import resilience_experiment
    r = resilience_experiment(shock, baseline_scenario=baseline, output=output,
                              shock_time=shock_time, fraction=fraction)
    cols = ["depth", "resistance", "time_of_minimum", "recovery_time", "half_life"]
    res = r.result[cols].reset_coords(drop=True)
    if res["depth"].ndim == 0:
        rows = [[r.output] + [_g(float(res[c])) for c in cols]]
    else:
        frame = res.to_dataframe()
        rows = [[", ".join(map(str, i)) if isinstance(i, tuple) else str(i)]
                + [_g(float(v)) for v in vals] for i, vals in zip(frame.index, frame[cols].to_numpy())]
    click.echo(table(rows, ["cell"] + cols))
    click.echo(f"times in the model's time unit, measured from the shock at {shock_time:g}; "
               "nan = not recovered by the end of the run")


commands = [sensitivity, calibrate, did, staggered, loops, resilience]
