"""Caches: a bytes key-value backend (in-process or Redis) under the minute cache and the token cache."""

from marketedge.cache.backends import CacheBackend, MemoryBackend, RedisBackend, make_backend

__all__ = ["CacheBackend", "MemoryBackend", "RedisBackend", "make_backend"]
