"""Groups (社群), memberships, live codes (活码) and entry review (入群审核)."""
