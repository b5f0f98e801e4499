"""Built-in sandbox backends: importing this package registers `local`, `bwrap` and `unshare`."""

from . import local

__all__ = ["local"]
