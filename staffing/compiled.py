"""numba for the model's hot loops, loaded on first use, with numpy as the way back.

Each kernel is a ``LazyKernel``: its builder is called the first time a caller asks for it (numba
costs ~0.4 s to import, more to compile), and answers the compiled function or None. None, and
numpy from then on, also when numba is missing, when ``STOREMON_PURE_NUMPY=1`` is set, or when a
kernel fails on this machine (``failed``): the model must not stop for want of a compiler.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

_UNRESOLVED = object()


def numba_jit(**options: Any) -> Callable | None:
    """numba's ``njit`` with what every kernel here shares (no GIL held, so a GUI thread beside it
    stays responsive; compiled code cached on disk), or None for numpy.

    The cache spares every later process the compile (about 7 s for all the kernels: each Region
    child process would pay it), so it is asked for everywhere, a frozen bundle included; where
    numba finds no file to key it by, the kernel is compiled in memory."""
    if os.environ.get("STOREMON_PURE_NUMPY"):
        return None
    try:
        from numba import njit
    except ImportError:
        return None
    cached, in_memory = njit(cache=True, nogil=True, **options), njit(nogil=True, **options)

    def jit(function: Callable) -> Callable:
        _anchor_in_bundle(function)
        try:
            return cached(function)
        except RuntimeError:  # "cannot cache function ...: no locator available"
            return in_memory(function)

    return jit


def _anchor_in_bundle(function: Callable) -> None:
    """In a PyInstaller bundle a function's file name is relative ("staffing/day.py"), and numba
    names its cache folder (~/.cache/numba/staffing_<hash>) after that name made absolute against
    the working directory: every start from another folder compiled all over again (~8 s), and a
    start from a folder holding staffing/*.py (a checkout) cached into that checkout. Anchored at
    the bundle's own folder, one cache serves every start of the installed bundle."""
    code = function.__code__
    bundle = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle and not os.path.isabs(code.co_filename):
        function.__code__ = code.replace(co_filename=os.path.join(bundle, code.co_filename))


def kernel_decorator(**options: Any) -> Callable:
    """``numba_jit(**options)`` for a module of kernels, or plain Python where numba is not in use:
    the module still imports (as every module of the package must), and its callers, asking
    through a ``LazyKernel``, use numpy."""
    return numba_jit(**options) or (lambda function: function)


class LazyKernel:
    """A compiled function built on first use by ``build`` (which answers it, or None)."""

    def __init__(self, build: Callable[[], Callable | None]) -> None:
        self._build = build
        self._function: Any = _UNRESOLVED

    def get(self) -> Callable | None:
        if self._function is _UNRESOLVED:
            self._function = self._build()
        return self._function

    def failed(self, what: str) -> None:
        """Log why the compiled ``what`` failed and use numpy from now on."""
        log.exception("the compiled %s failed; using numpy from now on", what)
        self._function = None
