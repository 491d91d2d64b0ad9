"""Tests of the simulator (siyu.sim)."""
