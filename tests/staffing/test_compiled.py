"""staffing.compiled: where numba caches the kernels of a frozen bundle."""

import sys

from staffing import compiled


def _kernel(x):
    return x + 1


def test_a_bundles_kernel_is_anchored_at_the_bundle_not_the_working_directory(monkeypatch, tmp_path):
    # PyInstaller leaves co_filename relative; numba would make it absolute against the cwd.
    function = type(_kernel)(_kernel.__code__.replace(co_filename="staffing/x.py"), globals())
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    compiled._anchor_in_bundle(function)
    assert function.__code__.co_filename == str(tmp_path / "staffing" / "x.py")
    assert function(1) == 2


def test_outside_a_bundle_nothing_changes():
    code = _kernel.__code__
    compiled._anchor_in_bundle(_kernel)
    assert _kernel.__code__ is code
