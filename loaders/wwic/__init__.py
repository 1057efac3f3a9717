"""Security Force Monitor's WhoWasInCommand CSV files: import (`FORMAT`), export (`EXPORTS`)."""

from loaders.wwic.export import EXPORT, export_wwic
from loaders.wwic.importer import FORMAT, WwicFormat

EXPORTS = (EXPORT,)

__all__ = ["EXPORTS", "FORMAT", "WwicFormat", "export_wwic"]
