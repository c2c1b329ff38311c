"""Normalisation, candidate generation, scoring and classification.

Knows nothing of the store or the command line: frames in, frames out.
"""

__all__: list[str] = []
