"""Normalisation, candidate generation, scoring and classification.

Knows nothing of the store or the command line: frames in, frames out.
"""

from matching._variants import fold_variants
from matching.addresses import address_key, address_parts
from matching.classify import CLASSES, HITS
from matching.kana import kana_problem, to_fullwidth, to_zengin
from matching.link import LinkConfig, LinkInputError, link, rules_digest
from matching.names import name_key, name_parts
from matching.reading import estimate_readings

__all__: list[str] = ["CLASSES", "HITS", "LinkConfig", "LinkInputError", "link", "rules_digest"]
__all__ += ["address_key", "address_parts", "estimate_readings", "fold_variants", "kana_problem", "name_key", "name_parts", "to_fullwidth", "to_zengin"]
