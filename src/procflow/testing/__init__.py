"""Scenario tests for procedures: YAML scenario files, a runner, a pytest plugin."""

__all__: list[str] = []
