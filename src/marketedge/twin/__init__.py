"""The Upstox twin: Upstox's paths and JSON over a seeded, clock-driven simulated market (see docs/twin.md)."""

from marketedge.twin.app import create_twin_app
from marketedge.twin.config import TwinConfig
from marketedge.twin.state import TwinState

__all__ = ["TwinConfig", "TwinState", "create_twin_app"]
