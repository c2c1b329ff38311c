"""The batch processor: workspace, store, pipeline steps, reports and CLI."""

__version__ = "0.1.0"
__all__ = ["__version__"]
