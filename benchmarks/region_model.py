"""A subscripted test model with any number of regions, for region-scaling benchmarks.

The structure is ``tests/models/bench_regions.mdl`` (an aging chain of juniors, seniors and
retirees per region, hiring towards a target that follows a lookup of time, a SUM over regions)
with the region list and the per-region constants generated: ``region_model(300)`` has 300
regions, so 900 stock cells. Written to a folder the caller owns; nothing is committed.

    path = write_region_model(tmpdir, 100)
"""
from __future__ import annotations

from pathlib import Path

HIRING_TIME = ("hiring time", 1.0, 10.0)  # the lever a scenario varies (name, min, max)


def _values(n: int, base: float, step: float, period: int) -> str:
    # a deterministic spread, so regions differ without any randomness
    return ", ".join(f"{base + step * (i % period):g}" for i in range(n))


def region_model(n: int, *, final_time: float = 100, time_step: float = 0.0625) -> str:
    """Vensim text of the bench_regions structure with ``n`` regions named r1..rn.

    Raises
    ------
    ValueError
        ``n`` below 1.
    """
    if n < 1:
        raise ValueError(f"region_model needs at least 1 region, found {n}")
    regions = ", ".join(f"r{i + 1}" for i in range(n))
    return f"""{{UTF-8}}
region: {regions}
	~	
	~	{n} regions.
	|

Juniors[region]= INTEG (
	Hiring[region] - Promotion[region],
		initial juniors[region])
	~	People
	~	Junior staff.
	|

Seniors[region]= INTEG (
	Promotion[region] - Retirement[region],
		initial seniors[region])
	~	People
	~	Senior staff.
	|

Retirees[region]= INTEG (
	Retirement[region],
		0)
	~	People
	~	Retired staff (accumulates).
	|

initial juniors[region] = {_values(n, 60, 10, 7)}
	~	People
	~	Starting juniors.
	|

initial seniors[region] = {_values(n, 30, 5, 5)}
	~	People
	~	Starting seniors.
	|

target workforce[region] = {_values(n, 120, 20, 11)}
	~	People
	~	Desired workforce.
	|

hiring time = 4
	~	Year [{HIRING_TIME[1]:g},{HIRING_TIME[2]:g},0.5]
	~	Lever: time to close the workforce gap.
	|

promotion time = 6
	~	Year
	~	Average time as a junior.
	|

career length = 25
	~	Year
	~	Average time as a senior.
	|

Hiring[region] = MAX(0, (target workforce[region] * growth effect - Juniors[region] - Seniors[region]) / hiring time) + Seniors[region] / career length
	~	People/Year
	~	Replacement plus gap-closing hiring.
	|

Promotion[region] = Juniors[region] / promotion time
	~	People/Year
	~	Juniors becoming seniors.
	|

Retirement[region] = Seniors[region] / career length
	~	People/Year
	~	Seniors leaving.
	|

growth effect = growth table(Time)
	~	Dmnl
	~	Time profile of the workforce target.
	|

growth table(
	(0,1),(20,1.2),(50,1.5),(100,1.6))
	~	Dmnl
	~	Target multiplier over time.
	|

total workforce = SUM(Juniors[region!] + Seniors[region!])
	~	People
	~	All working staff.
	|

********************************************************
	.Control
********************************************************~
		Simulation Control Parameters
	|

FINAL TIME  = {final_time:g}
	~	Year
	~	The final time for the simulation.
	|

INITIAL TIME  = 0
	~	Year
	~	The initial time for the simulation.
	|

SAVEPER  = 1
	~	Year [0,?]
	~	The frequency with which output is stored.
	|

TIME STEP  = {time_step:g}
	~	Year [0,?]
	~	The time step for the simulation.
	|

\\\\\\---/// Sketch information - do not modify anything except names
V300  Do not put anything below this section - it will be ignored
*View 1
$192-192-192,0,Times New Roman|12||0-0-0|0-0-0|0-0-255|-1--1--1|-1--1--1|96,96,100,0
///---\\\\\\
:L<%^E!@
"""


def write_region_model(folder: Path, n: int, **kw) -> Path:
    """Write :func:`region_model` ``(n)`` as ``folder/regions_<n>.mdl``; returns the path."""
    path = Path(folder) / f"regions_{n}.mdl"
    path.write_text(region_model(n, **kw), encoding="utf-8")
    return path
