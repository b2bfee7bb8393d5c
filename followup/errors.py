"""One error tree: every refusal the program explains to a user derives from Refused.

A Refused carries a Swedish message that names the cause and the fix; the edges catch Refused once (the command
line's main, webapp.state.refusals on the pages) and show the message instead of a traceback. The subclasses say
what kind of refusal it is, so an edge can choose an exit status or an icon without listing classes.

    Refused
    ├── Busy            another process or replica is writing; try again later
    ├── Conflict        a concurrent change won; nothing was written
    ├── BadInput        a file, option or value that cannot be used as given
    ├── NotAllowed      the user's role does not allow it
    ├── NotFound        what was named does not exist (an empty shared database, a missing file)
    └── Unavailable     the database or a tool cannot be used (broken file, PostgreSQL down, no browser)

Beside the tree, Defect is a mistake in the program itself (followup.queries.QueryError): no edge catches it.

Storage errors (kept here so the store's modules and followup.db share them without an import cycle):
DatabaseError(Unavailable), DatabaseBusyError(DatabaseError, Busy), DatabaseConflictError(DatabaseError, Conflict),
SchemaVersionError(DatabaseError, BadInput), EmptyLakeError(DatabaseError, NotFound).
"""

from __future__ import annotations


class Refused(Exception):
    """A refusal with a Swedish message naming the cause and the fix; nothing half-done is left behind."""

    exit_code = 1
    """The command line's exit status for it (2 is a usage error)."""


class Busy(Refused):
    """Another process or replica holds the database for writing."""


class Conflict(Refused):
    """A concurrent change made this one impossible; nothing of it was written."""


class BadInput(Refused):
    """Input (a file, an option, a value) that cannot be used as given."""


class NotAllowed(Refused):
    """The user's role does not allow the action."""


class NotFound(Refused):
    """What was named does not exist."""


class Unavailable(Refused):
    """The database or a tool the action needs cannot be used."""


class Defect(Exception):
    """A mistake in the program itself (a query file without its header, a parameter it does not document): never a
    Refused, so no edge mistakes it for the user's input; it surfaces as a traceback and gets fixed."""


class DatabaseError(Unavailable):
    """A database problem with a message in Swedish that says the cause and the fix."""


class DatabaseBusyError(DatabaseError, Busy):
    """Another process holds the database file (or another replica the shared backend's write lock)."""


class SchemaVersionError(DatabaseError, BadInput):
    """The file was made by a newer version of the program, or is not a follow-up database."""


class DatabaseConflictError(DatabaseError, Conflict):
    """The shared backend refused a commit: another transaction changed the same table at the same time."""


class EmptyLakeError(DatabaseError, NotFound):
    """The shared backend holds no follow-up database yet."""
