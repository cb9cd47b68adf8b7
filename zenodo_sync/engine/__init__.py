"""The engine: lock state, refresh, normalise and diff, plan, apply. Pure but for the lock file."""
