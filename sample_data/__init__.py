"""Synthetic offices with ground truth, and the simulated banks of both services."""

__all__: list[str] = []

# Synthetic offices (generator) and the simulated banks of both services (simulator).
from sample_data.generator import Office, generate_office
from sample_data.simulator import BankWorld, sample_requests

__all__ += ["Office", "generate_office", "BankWorld", "sample_requests"]
