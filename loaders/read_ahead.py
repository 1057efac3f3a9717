"""Reading the next chunk of an input while the current one is checked or written.

An import alternates Python work (reading and parsing rows into records) with waits on Neo4j
(resolving names, writing a chunk). The driver waits on its socket without holding the GIL, so
a thread that reads the next chunk meanwhile turns that wait into work done. Only reading moves
to the thread: resolving and writing stay in order in the caller, since each chunk is resolved
against the graph the chunks before it wrote.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterable
from typing import Generic, TypeVar

T = TypeVar("T")

# How long the reader waits for room before it looks again whether the caller stopped.
POLL_SECONDS = 0.1


class _End:
    """The input is read to its end."""


class _Failed:
    """Reading raised ERROR, which the caller raises where it would have been raised."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


class _Reader(Generic[T]):
    def __init__(self, items: Iterable[T], depth: int) -> None:
        self.items = items
        self.ready: queue.Queue[T | _End | _Failed] = queue.Queue(maxsize=depth)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._read, name="read-ahead", daemon=True)

    def _read(self) -> None:
        iterator = iter(self.items)
        try:
            for item in iterator:
                if not self._hand_over(item):
                    return
            self._hand_over(_End())
        except BaseException as error:  # raised again in the caller's thread
            self._hand_over(_Failed(error))
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()  # a generator stopped early closes its files here

    def _hand_over(self, item: T | _End | _Failed) -> bool:
        """Put ITEM where the caller takes it; False once the caller has stopped."""
        while not self.stopped.is_set():
            try:
                self.ready.put(item, timeout=POLL_SECONDS)
            except queue.Full:
                continue
            return True
        return False

    def items_read(self) -> Generator[T, None, None]:
        self.thread.start()
        try:
            while True:
                item = self.ready.get()
                if isinstance(item, _End):
                    return
                if isinstance(item, _Failed):
                    raise item.error
                yield item
        finally:
            self.stopped.set()
            self.thread.join()


def read_ahead(items: Iterable[T], depth: int = 1) -> Generator[T, None, None]:
    """ITEMS in their order, read in a thread of their own up to DEPTH items ahead of the
    caller. An error reading them is raised in the caller after the items before it; a caller
    that stops early stops the reader too, and the input is closed."""
    return _Reader(items, depth).items_read()
