"""Limited coupons: templates with total stock and per-member limits, claims, a member's coupons."""
