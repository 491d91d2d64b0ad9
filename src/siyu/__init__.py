"""Siyu (私域): plan, run, watch and review a merchant's private-domain communities."""

__version__ = "0.1.0"
