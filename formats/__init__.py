"""Layouts as data and the codecs that read and write them.

Knows nothing of the store or the command line: bytes in, typed polars frames
out (and back), with every rejected row reported with its file and line.
"""

__all__: list[str] = []
