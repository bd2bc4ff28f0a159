"""simsys.solve."""
