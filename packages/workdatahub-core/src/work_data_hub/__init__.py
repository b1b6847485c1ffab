"""WorkDataHub core: the framework every domain package plugs into."""

import os
from importlib.metadata import PackageNotFoundError, version

# Arrow's allocator (mimalloc) keeps freed pages until later allocations purge them: a run that
# frees a chunk's columns as it goes then holds hundreds of MB it no longer uses (a million-row
# CSV peaked about 50 MB higher, and idled 400 MB higher, without this). In an arena committed
# up front a purge only marks pages reusable and they stay resident: a million-row xlsx run
# peaked about 30 MB higher. Both take effect only when set before pyarrow is first imported
# (importing pandas imports it): import work_data_hub first. A value set in the environment wins.
os.environ.setdefault("MIMALLOC_PURGE_DELAY", "0")
os.environ.setdefault("MIMALLOC_ARENA_EAGER_COMMIT", "0")

try:
    __version__ = version("workdatahub-core")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"

__all__ = ["__version__"]
