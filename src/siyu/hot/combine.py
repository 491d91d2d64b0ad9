"""Combining concurrent takes into one Redis call (flat combining).

Each take is one atomic Lua step; what costs is the client round trip around it (in
redis-py: a pool checkout, packing, a socket write and read, parsing — more than the
script). Takes that arrive while a call is in flight wait in a queue; the thread whose
call comes back hands the next batch to the first waiter, who sends all waiting takes as
one EVALSHA of `TAKE_MANY`. That script runs each take exactly as `TAKE` would, one
after another, atomically; each caller gets its own answer. An idle system sends a
take at once (a batch of one), so combining adds no latency when there is no
contention, and under contention one round trip serves many takes.

A batch names keys of several pools and member sets, so it needs one Redis node (as
the backend's plain client does); a cluster client would group the batch by slot.
"""

from __future__ import annotations

import threading
from _thread import allocate_lock

import redis


class _Call:
    __slots__ = ("base", "members", "arg", "out", "error", "wake")

    def __init__(self, base: str, members: str, arg: str) -> None:
        self.base, self.members, self.arg = base, members, arg
        self.out: bytes | None = None
        self.error: BaseException | None = None
        self.wake = allocate_lock()  # held until the call is answered or must lead
        self.wake.acquire()


class Combiner:
    def __init__(self, client: redis.Redis, script: str, *, max_batch: int = 64) -> None:
        self.client, self.max_batch = client, max_batch
        self.script = client.register_script(script)
        self._lock = threading.Lock()
        self._queue: list[_Call] = []
        self._busy = False

    def call(self, base: str, members: str | None, arg: str) -> bytes:
        """One take: the script's answer for (base, member set or None, packed argument).
        Raises what the Redis client raised for the batch."""
        me = _Call(base, members or base, arg)
        with self._lock:
            self._queue.append(me)
            lead = not self._busy
            self._busy = True
        if not lead:
            me.wake.acquire()
        if me.out is None and me.error is None:  # leading: send my batch (and others')
            self._serve(me)
        if me.error is not None:
            raise me.error
        return me.out  # type: ignore[return-value]

    def _serve(self, me: _Call) -> None:
        with self._lock:
            batch = self._queue[: self.max_batch]
            del self._queue[: self.max_batch]
        try:
            self._send(batch)
        except BaseException as e:  # noqa: BLE001 - every caller of the batch gets it
            for c in batch:
                if c.out is None:
                    c.error = e
        finally:
            with self._lock:
                nxt = self._queue[0] if self._queue else None
                if nxt is None:
                    self._busy = False
            for c in batch:
                if c is not me:
                    c.wake.release()
            if nxt is not None:
                nxt.wake.release()

    def _send(self, batch: list[_Call]) -> None:
        keys: list[str] = []
        for c in batch:
            keys += (c.base, c.members)
        args = [c.arg for c in batch]
        try:
            outs = self.client.execute_command("EVALSHA", self.script.sha, len(keys), *keys,
                                               *args)
        except redis.exceptions.NoScriptError:
            self.script.sha = self.client.script_load(self.script.script)
            outs = self.client.execute_command("EVALSHA", self.script.sha, len(keys), *keys,
                                               *args)
        for c, out in zip(batch, outs, strict=True):
            c.out = out
