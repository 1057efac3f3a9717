"""Security Force Monitor's WhoWasInCommand CSV files: import (`FORMAT`) and `export_wwic`."""

from loaders.wwic.export import export_wwic
from loaders.wwic.importer import FORMAT, WwicFormat

__all__ = ["FORMAT", "WwicFormat", "export_wwic"]
