"""Channel adapters to the messaging platform, and the built-in simulator channel."""
