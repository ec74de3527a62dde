"""FastAPI routers: HTTP only; the logic lives in services."""
