"""Process-local memos for what never changes once it is in use: a frozen questionnaire's
structure and the markup of its page (surveys/questionnaires/selectors.py,
surveys/submissions/page.py).

A memo lives in one process's memory, so nothing is read or written per request; each
gunicorn worker builds an entry once. Whoever changes the underlying rows clears every memo
(`clear_all`, connected to the questionnaire models' signals); the tests' empty-cache fixture
clears them too, because each test's database hands out the same ids again."""

from collections import OrderedDict
from threading import Lock

_memos = []


class Memo:
    """A small least-recently-built map; at most `size` entries."""

    def __init__(self, size):
        self.size = size
        self._entries = OrderedDict()
        self._lock = Lock()
        _memos.append(self)

    def get(self, key, build):
        entry = self._entries.get(key)
        if entry is None:
            entry = build()
            with self._lock:
                self._entries[key] = entry
                while len(self._entries) > self.size:
                    self._entries.popitem(last=False)
        return entry

    def clear(self):
        with self._lock:
            self._entries.clear()

    def __len__(self):
        return len(self._entries)


def clear_all(*args, **kwargs):
    """Forget every memo (signature of a signal receiver)."""
    for memo in _memos:
        memo.clear()
