"""Synthetic offices with ground truth, and the simulated banks of both services."""

__all__: list[str] = []
