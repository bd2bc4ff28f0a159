"""simsys.analysis."""
