"""simsys.model."""
