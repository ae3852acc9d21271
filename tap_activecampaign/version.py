"""The installed version, for ``User-Agent`` and ``--version``."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("tap-activecampaign")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

USER_AGENT = f"tap-activecampaign/{__version__}"
