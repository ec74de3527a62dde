"""Market Edge: minute-by-minute greeks tracker for Indian index options."""

__version__ = "0.1.0"
