"""One root for every error a user can fix: each error class of storemon and alerts is a StoremonError."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import alerts
import storemon
from alerts.errors import StoremonError as AlertsRoot
from storemon.errors import StoremonError

# Raised and caught inside one module, never shown to a user as such.
INTERNAL = {"storemon.importers.base.CellError"}


def _error_classes() -> dict[str, type]:
    found: dict[str, type] = {}
    for package in (storemon, alerts):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if ".migrations" in info.name or info.name.endswith("__main__"):
                continue
            module = importlib.import_module(info.name)
            for name, obj in inspect.getmembers(module, inspect.isclass):
                if issubclass(obj, BaseException) and obj.__module__ == module.__name__:
                    found[f"{module.__name__}.{name}"] = obj
    return found


def test_every_error_of_storemon_and_alerts_is_a_storemon_error():
    assert StoremonError is AlertsRoot
    classes = _error_classes()
    assert "alerts.notifiers.base.DeliveryError" in classes
    assert "alerts.notifiers.factory.SettingsError" in classes
    strays = sorted(name for name, cls in classes.items() if not issubclass(cls, StoremonError))
    assert [name for name in strays if name not in INTERNAL] == []
