"""Tests of the web console (siyu.web) and its KPI queries."""
