"""Merchants (tenants), their users with roles, API keys and stores."""
