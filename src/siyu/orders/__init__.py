"""Orders and order lines: amounts in fen, IP, device, address, status."""
