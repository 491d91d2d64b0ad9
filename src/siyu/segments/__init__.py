"""Segmentation (分层): RFM scores and segments, the seed's user layers, BG/NBD lifetime value."""
