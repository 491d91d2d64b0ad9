"""Promotion engine (促销引擎): price a cart with the best combination of promotions and coupons."""
