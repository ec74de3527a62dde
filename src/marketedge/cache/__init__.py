"""Caches: a bytes key-value backend (in-process or Redis) under the minute cache and the token cache."""

from marketedge.cache.backends import CacheBackend, MemoryBackend, RedisBackend, make_backend
from marketedge.cache.minutes import DATABASE_AWAY, DayRead, MinuteCache

__all__ = [
    "DATABASE_AWAY",
    "CacheBackend",
    "DayRead",
    "MemoryBackend",
    "MinuteCache",
    "RedisBackend",
    "make_backend",
]
