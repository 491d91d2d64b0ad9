"""Import and export of members, products and orders as CSV and Excel (.xlsx) files."""
