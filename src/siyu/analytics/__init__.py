"""Analytics: KPIs, funnels and series computed from events, groups and orders."""
