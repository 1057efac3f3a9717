"""FollowTheMoney / OpenSanctions entities: import them as records (`FORMAT`), export the graph
as them (`EXPORTS`)."""

from loaders.ftm.export import EXPORT, export_ftm
from loaders.ftm.importer import FtmFormat

FORMAT = FtmFormat()
EXPORTS = (EXPORT,)

__all__ = ["EXPORTS", "FORMAT", "FtmFormat", "export_ftm"]
