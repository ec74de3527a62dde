"""The `marketedge` command (pyproject's entry point is `main`)."""

from marketedge.cli.main import app, main, serve

__all__ = ["app", "main", "serve"]
