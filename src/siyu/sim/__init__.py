"""Synthetic population and New-Year campaign simulator (demo data, rehearsal, load)."""
