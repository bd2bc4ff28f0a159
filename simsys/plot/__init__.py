"""simsys.plot."""
