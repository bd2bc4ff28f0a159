"""simsys.sweep."""
