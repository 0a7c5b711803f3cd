"""Business rules of the RFT booking desk: no Qt, no websockets, just the domain."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("rft-booking")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
