"""followup.errors: one base for every refusal, so each edge catches Refused once."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import followup
from followup import errors


def followup_exceptions() -> list[type[BaseException]]:
    """Every public exception class defined in a module of the followup package."""
    found = []
    for module in pkgutil.walk_packages(followup.__path__, "followup."):
        if module.name.endswith("__main__"):  # runs the command line when imported
            continue
        loaded = importlib.import_module(module.name)
        for _, value in inspect.getmembers(loaded, inspect.isclass):
            # a private class (status._NoData) is control flow inside its module and never reaches an edge
            if issubclass(value, BaseException) and value.__module__ == module.name and not value.__name__.startswith("_"):
                found.append(value)
    return found


def test_every_exception_of_the_core_is_a_refusal_or_a_defect() -> None:
    classes = followup_exceptions()
    assert len(classes) >= 18
    assert [c.__qualname__ for c in classes if not issubclass(c, (errors.Refused, errors.Defect))] == []
    assert [c.__qualname__ for c in classes if issubclass(c, errors.Defect)] == ["Defect", "QueryError"]


def test_a_defect_is_never_caught_as_a_refusal() -> None:
    """A mistake in a query file must surface, not be shown to a user as if their input were wrong."""
    from followup import queries

    assert not issubclass(errors.Defect, errors.Refused)
    with pytest.raises(queries.QueryError):
        try:
            queries.load("nothing")
        except errors.Refused:  # what the edges catch
            pytest.fail("a QueryError was caught as a Refused")


@pytest.mark.parametrize(("name", "kind"), [
    ("followup.db:DatabaseBusyError", errors.Busy),
    ("followup.lake:LakeBusy", errors.Busy),
    ("followup.db:DatabaseConflictError", errors.Conflict),
    ("followup.lake:LakeConflict", errors.Conflict),
    ("followup.access:AccessDenied", errors.NotAllowed),
    ("followup.imports.base:LoadRefused", errors.BadInput),
    ("followup.steering:WriteRefused", errors.BadInput),
    ("followup.db:EmptyLakeError", errors.NotFound),
    ("followup.export.images:ImageExportError", errors.Unavailable),
])
def test_each_refusal_has_its_kind(name: str, kind: type[errors.Refused]) -> None:
    module, attribute = name.split(":")
    assert issubclass(getattr(importlib.import_module(module), attribute), kind)


def test_the_old_bases_still_hold() -> None:
    """Callers that caught ValueError or PermissionError keep catching them."""
    from followup.access import AccessDenied
    from followup.steering import WriteRefused

    assert issubclass(WriteRefused, ValueError) and issubclass(AccessDenied, PermissionError)
    assert issubclass(errors.DatabaseBusyError, errors.DatabaseError)


def test_usage_refusals_exit_2_and_the_rest_1() -> None:
    from followup import cli

    assert cli.ExportRefused("x").exit_code == cli.CopyRefused("x").exit_code == cli.EXIT_USAGE
    assert errors.DatabaseError("x").exit_code == cli.EXIT_ERROR
