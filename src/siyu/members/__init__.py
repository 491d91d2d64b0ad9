"""Members (customers), their tags, tiers and PIPL erasure."""
