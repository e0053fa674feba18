"""The ``procflow`` command: a thin shell over the library.

Each command group lives in its own module and only parses arguments, calls
the library and prints; ``main.py`` puts them together.
"""
