"""Built-in sandbox backends: importing this package registers `local`, `bwrap` and `unshare`."""

from . import bwrap, local, unshare

__all__ = ["bwrap", "local", "unshare"]
