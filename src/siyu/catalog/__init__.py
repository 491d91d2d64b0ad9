"""Products and SKUs: price, cost, daily price (日常价), category, stock, tags."""
