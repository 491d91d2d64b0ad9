"""Risk control: the copy scanner (文案风控) and its service hook."""
