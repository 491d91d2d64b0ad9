"""A/B tests (A/B 实验): significance of conversion and mean-metric differences, verdicts."""
