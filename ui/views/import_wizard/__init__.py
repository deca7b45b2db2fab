"""The import wizard: choose a file, check what Storemon reads, match columns, import, see the result.

Reading the preview and the import itself run off the GUI thread. The import is all or nothing:
a file with problems lists them by line and writes nothing, and cancelling rolls everything back.
"""

from ui.views.import_wizard.wizard import ImportWizard

__all__ = ["ImportWizard"]
