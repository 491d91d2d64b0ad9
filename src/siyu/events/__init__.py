"""Events: the immutable facts (join, message, view, order, ...) that analytics reads."""
