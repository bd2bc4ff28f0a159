"""Write ../published_size.mdl: a model of published size (over 200 variables) mixing macros,
a data variable, subscripts and delays. Run from this folder; the .mdl is committed."""
from pathlib import Path


def eq(lhs, rhs, units="Widget", doc=""):
    return f"{lhs} = {rhs}\n\t~\t{units}\n\t~\t{doc}\n\t|\n\n"


parts = ["{UTF-8}\n", """:MACRO: EXP SMOOTH(input, delay time, init)
EXP SMOOTH = INTEG((input - EXP SMOOTH) / delay time, init)
	~	input
	~	A first-order smooth as a macro with its own stock.
	|

:END OF MACRO:
""", "Region : r1, r2, r3, r4\n\t~\t~\t|\n\n",
         "Observed := GET DIRECT DATA('data/series.csv', ',', 'A', 'B2')\n\t~\tWidget\n\t~\t|\n\n",
         eq("Weight[Region]", "0.75, 1.25, 1.5, 0.5", "Dmnl")]
for i in range(1, 45):
    parts += [
        eq(f"Base {i}", f"{1 + (i % 7) * 0.375}"),
        eq(f"Input {i}", f"Base {i} * (1 + Observed * 0.125) + STEP({0.25 * (i % 4)}, {1 + i % 5})"),
        eq(f"Smoothed {i}", f"EXP SMOOTH(Input {i}, {1.5 + (i % 3)}, {0.5 + 0.25 * (i % 5)})"),
        eq(f"Delayed {i}", f"DELAY N(Smoothed {i}, {2 + i % 3}, 1.5, {1 + i % 3})"),
        eq(f"Stock {i}[Region]", f"INTEG(Flow {i}[Region], {1.25 + 0.5 * (i % 2)})"),
        eq(f"Flow {i}[Region]", f"(Delayed {i} * Weight[Region] - Stock {i}[Region]) / 3"),
    ]
parts.append(eq("Total", " + ".join(f"SUM(Stock {i}[Region!])" for i in range(1, 45))))
parts.append("""INITIAL TIME = 0
	~	Month
	~	|

FINAL TIME = 8
	~	Month
	~	|

TIME STEP = 0.5
	~	Month
	~	|

SAVEPER = 1
	~	Month
	~	|

""")
Path("../published_size.mdl").write_text("".join(parts), encoding="utf-8")
