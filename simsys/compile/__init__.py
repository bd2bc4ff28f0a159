"""simsys.compile."""
