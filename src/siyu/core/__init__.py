"""Core values shared by every domain: money, clock, ids, errors, settings, i18n."""
