"""pytest plugin for procflow scenario files (registered through the pytest11 entry point)."""
