"""FollowTheMoney / OpenSanctions entities: import them as records, export the graph as them."""

from loaders.ftm.export import export_ftm
from loaders.ftm.importer import FtmFormat

FORMAT = FtmFormat()

__all__ = ["FORMAT", "FtmFormat", "export_ftm"]
