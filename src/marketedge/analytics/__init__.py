"""Pure numpy over cached day frames: delta-band sums, change since the baseline, minute change."""
