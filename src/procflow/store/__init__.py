"""Where dossiers and their event logs are kept."""

from procflow.store.base import Store
from procflow.store.memory import MemoryStore

__all__ = ["MemoryStore", "Store"]
