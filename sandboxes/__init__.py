"""Built-in sandbox backends: importing this package registers `local`, `bwrap` and `unshare`."""

from . import bwrap, local

__all__ = ["bwrap", "local"]
