"""The minute pipeline: the universe, the minute job, the normaliser and greeks check, backfill."""
