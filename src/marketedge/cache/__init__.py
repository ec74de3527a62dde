"""Caches: a bytes key-value backend (in-process or Redis) under the minute cache and the token cache."""

from marketedge.cache.backends import CacheBackend, MemoryBackend, RedisBackend, make_backend
from marketedge.cache.minutes import MinuteCache

__all__ = ["CacheBackend", "MemoryBackend", "MinuteCache", "RedisBackend", "make_backend"]
