"""WorkDataHub core: the framework every domain package plugs into."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("workdatahub-core")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"

__all__ = ["__version__"]
