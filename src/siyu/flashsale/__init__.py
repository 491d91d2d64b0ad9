"""Flash sales (秒杀): sessions, winners' orders, unpaid release, return rounds (返场)."""
