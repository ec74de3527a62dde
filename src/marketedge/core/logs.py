"""Structured JSON logs with the request id on every line, and secrets masked before anything is written."""

from __future__ import annotations

import functools
import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

_SECRET_KEYS = re.compile(r"(token|password|secret|authorization|cookie|api_key|apikey|session)", re.I)
_BEARER = re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]+", re.I)
_QUERY_SECRET = re.compile(r"((?:code|token|access_token|client_secret|password)=)[^&\s]+", re.I)
MASK = "***"


_MAYBE_SECRET_TEXT = re.compile(r"bearer|=", re.I)  # cheap test before the two substitutions


def redact_text(text: str) -> str:
    """Mask bearer tokens and secret-looking query parameters inside free text."""
    if not _MAYBE_SECRET_TEXT.search(text):
        return text
    return _QUERY_SECRET.sub(rf"\1{MASK}", _BEARER.sub(rf"\1{MASK}", text))


@functools.lru_cache(maxsize=1024)
def _secret_key(key: str) -> bool:
    """Whether a field's name says its value is secret (remembered: log lines repeat the same names)."""
    return bool(_SECRET_KEYS.search(key)) and not key.endswith(("_kind", "_status", "_id", "_at", "_count"))


def _redact_value(key: str, value: Any) -> Any:
    if _secret_key(key):
        return MASK if value not in (None, "", False) else value
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: _redact_value(str(k), v) for k, v in value.items()}
    return value


def redact(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: no token, password or secret reaches a log line."""
    for key in list(event_dict):
        event_dict[key] = _redact_value(key, event_dict[key])
    return event_dict


def configure_logging(level: str = "INFO", fmt: str = "json") -> None:
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        redact,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        # filter_by_level first: a line below the level costs nothing more (the access log runs per request).
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
            foreign_pre_chain=shared,
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # uvicorn's own access log repeats ours without the request id; ours is the one.
    logging.getLogger("uvicorn.access").disabled = True
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    for name in ("httpx", "httpcore", "apscheduler", "aiosqlite", "asyncio", "alembic.runtime.plugins"):
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
