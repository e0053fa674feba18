"""Where dossiers and their event logs are kept.

``open_store("desk.db")`` (or ``sqlite:///desk.db``, ``memory://``) gives the
store a URL names; all stores keep the contract of :class:`Store`.
"""

from procflow.store.base import Store, StoreMode
from procflow.store.memory import MemoryStore
from procflow.store.sqlite import SQLiteStore
from procflow.store.url import open_store

__all__ = ["MemoryStore", "SQLiteStore", "Store", "StoreMode", "open_store"]
