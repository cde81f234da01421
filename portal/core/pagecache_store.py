"""Where the page cache keeps answers: this process's memory (bounded, least recently used
first out) or Redis shared by every worker and host. Keys carry the publication version, so an
entry of an older version is simply never found again (and ages out)."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol

log = logging.getLogger("portal.pagecache")


@dataclass
class Entry:
    status: str
    headers: list[tuple[str, str]]  # without Content-Length, Content-Encoding, Set-Cookie
    body: bytes
    gzip: bytes | None
    etag: str | None  # unquoted; the gzip body's is etag + "-gzip"
    expires: float  # time.time() after which the entry is not served

    @property
    def size(self) -> int:
        return len(self.body) + len(self.gzip or b"") + 200

    def dumps(self) -> bytes:
        meta = json.dumps(
            [self.status, self.headers, self.etag, self.expires, len(self.body)]
        ).encode()
        return len(meta).to_bytes(4, "big") + meta + self.body + (self.gzip or b"")

    @classmethod
    def loads(cls, raw: bytes) -> Entry:
        n = int.from_bytes(raw[:4], "big")
        status, headers, etag, expires, body_len = json.loads(raw[4 : 4 + n])
        rest = raw[4 + n :]
        body, gz = rest[:body_len], rest[body_len:]
        return cls(status, [tuple(h) for h in headers], body, gz or None, etag, expires)


class Store(Protocol):
    def get(self, key: str) -> Entry | None: ...
    def set(self, key: str, entry: Entry) -> None: ...


class MemoryStore:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._data: OrderedDict[str, Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> Entry | None:
        with self._lock:
            entry = self._data.get(key)
            if entry is not None:
                self._data.move_to_end(key)
            return entry

    def set(self, key: str, entry: Entry) -> None:
        if entry.size > self.max_bytes // 4:
            return
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self._bytes -= old.size
            self._data[key] = entry
            self._bytes += entry.size
            while self._bytes > self.max_bytes and self._data:
                _key, dropped = self._data.popitem(last=False)
                self._bytes -= dropped.size

    def __len__(self) -> int:
        return len(self._data)


class RedisStore:
    """Shared store. An outage is never an error page: reads miss and writes are dropped, and
    after a failure Redis is left alone for a moment so requests do not each wait on it."""

    RETRY_AFTER = 2.0

    def __init__(self, url: str, prefix: str = "portal:pagecache") -> None:
        import redis

        self.prefix = prefix
        self.client = redis.Redis.from_url(
            url, socket_timeout=0.25, socket_connect_timeout=0.25, retry_on_timeout=False
        )
        self._down_until = 0.0

    def _available(self) -> bool:
        return time.monotonic() >= self._down_until

    def _failed(self, exc: Exception) -> None:
        if self._available():
            log.warning("page cache: Redis unavailable (%s); rendering instead", type(exc).__name__)
        self._down_until = time.monotonic() + self.RETRY_AFTER

    def get(self, key: str) -> Entry | None:
        if not self._available():
            return None
        try:
            raw = self.client.get(f"{self.prefix}:{key}")
        except Exception as exc:  # redis.RedisError, OSError: miss
            self._failed(exc)
            return None
        if raw is None:
            return None
        data = raw.encode() if isinstance(raw, str) else bytes(raw)  # bytes: no decode_responses
        try:
            return Entry.loads(data)
        except (ValueError, IndexError):
            return None

    def set(self, key: str, entry: Entry) -> None:
        if not self._available():
            return
        ttl = max(1, int(entry.expires - time.time()) + 1)
        try:
            self.client.set(f"{self.prefix}:{key}", entry.dumps(), ex=ttl)
        except Exception as exc:  # dropped: the next request renders again
            self._failed(exc)
