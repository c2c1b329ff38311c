"""Normalisation, candidate generation, scoring and classification.

Knows nothing of the store or the command line: frames in, frames out.
"""

from matching.link import LinkConfig, LinkInputError, link

__all__: list[str] = ["LinkConfig", "LinkInputError", "link"]
