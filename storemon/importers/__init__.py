"""POS, roster and staff files -> validated rows -> the database, all or nothing.

    import_sales(session_factory, path, options)    POS exports -> orders -> 15-minute buckets
    import_roster(session_factory, path, options)   shifts
    import_staff(session_factory, path, options)    staff members (existing codes are updated)
    preview(path, kind)                             what the import wizard shows before importing

``options`` is one ``ImportOptions``; its fields may also be given as keywords
(``import_sales(factory, path, create_stores=True)``). Each kind is a ``RowImporter``.

Every problem a user can fix comes back as a ``Problem`` (file:line: column: message) inside
``ImportFailed``; nothing is written unless the whole file is good or ``skip_bad`` is given.
Roster and staff files are one transaction; sales files, which run to millions of rows, are
written in short transactions that nobody sees until the last one (``importers.staging``).
"""

from storemon.importers.base import (
    ImportCancelled,
    ImportFailed,
    ImportResult,
    Problem,
)
from storemon.importers.preview import KINDS, Preview, preview
from storemon.importers.roster import import_roster
from storemon.importers.runner import ImportOptions, RowImporter
from storemon.importers.sales import import_sales
from storemon.importers.staff import import_staff

__all__ = [
    "KINDS",
    "ImportCancelled",
    "ImportFailed",
    "ImportOptions",
    "ImportResult",
    "Preview",
    "Problem",
    "RowImporter",
    "import_roster",
    "import_sales",
    "import_staff",
    "preview",
]
