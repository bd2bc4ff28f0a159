"""Which corpus models simsys refuses today, and where it follows Vensim instead of PySD.

Shared by test_oracle.py (which skips these from the value-by-value comparison) and
test_conformance.py (which checks the refusals are still true and precise).
"""
import numpy as np

from simsys.model.fold import NA

#: model -> (construct, text the refusal must contain). Remove an entry when it lands.
EXPECTED_REFUSED = {
}



#: Where simsys follows Vensim and PySD differs: model -> {column: expected values(time)}.
VENSIM_NOT_PYSD = {
    # PySD 3.14.3 calls a named table without its argument (TypeError); Vensim holds the table
    # to the table (0,1.5),(2,3.5),(5,2.25),(9,6): FORWARD takes the next point at or after
    # Time, BACKWARD the last at or before it
    "lookup_forward_backward.mdl": {
        "Forward": lambda t: np.select([t <= 0, t <= 2, t <= 5], [1.5, 3.5, 2.25], 6.0),
        "Backward": lambda t: np.select([t < 2, t < 5, t < 9], [1.5, 3.5, 2.25], 6.0)},
    # PySD 3.14.3 raises NotImplementedError; Vensim reads the data variable at the given time
    # with its own mode (series.csv: (2, 3.25), (3.5, 2.75)), GET TIME VALUE(0, 0, 0) is Time
    "get_data_at_time.mdl": {
        "At three": lambda t: np.full_like(t, 3.25 + (2.75 - 3.25) * (3 - 2) / (3.5 - 2)),
        "Now": lambda t: t},
    # PySD reads :NA: as nan (so nan = nan is false); Vensim's NA is the number -1e38.
    "na_constant.mdl": {"Missing": lambda t: np.full_like(t, NA), "Valid": lambda t: 2.5 + t},
}
