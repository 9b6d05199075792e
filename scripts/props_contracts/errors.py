"""Named errors. The CLI turns each into a one-line message and an exit code."""


class PropsContractsError(Exception):
    """Base class: a user-facing error with a clear message."""

    exit_code = 2


class UsageError(PropsContractsError):
    """Bad options or arguments (unknown invariant ID, end before start, ...)."""


class SchemaError(PropsContractsError):
    """The declared source schema and the data disagree."""


class DbtInvocationError(PropsContractsError):
    """dbt itself failed: compilation error, connection, lock, crash."""
