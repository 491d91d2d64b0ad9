"""Red envelopes (红包): lucky/equal/targeted/tiered/blind-box envelopes, rain, refunds."""
