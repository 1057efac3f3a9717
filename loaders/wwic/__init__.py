"""Security Force Monitor's WhoWasInCommand CSV files: import (`FORMAT`) and `export_wwic`."""

from loaders.wwic.export import export_wwic
from loaders.wwic.importer import FORMAT, WwicChunk, WwicFormat

__all__ = ["FORMAT", "WwicChunk", "WwicFormat", "export_wwic"]
