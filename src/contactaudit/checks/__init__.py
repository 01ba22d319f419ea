"""Check families: vectorised functions that turn normalised tables into findings."""
