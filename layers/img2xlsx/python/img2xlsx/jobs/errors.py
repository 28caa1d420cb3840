"""What can go wrong with a job, in the service's own terms; each edge decides how to report it (the API
handler maps these to HTTP statuses, the conversion handler lets Lambda retry a ``RetryableError``)."""

from __future__ import annotations


class RequestError(Exception):
    """A request the caller must fix; ``message`` says what, in words a user can act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TooLargeError(RequestError):
    """The announced file is over the upload limit."""


class UnsupportedTypeError(RequestError):
    """The announced file is of a type the engine does not read."""


class RetryableError(Exception):
    """The conversion failed for a reason that is not the user's; the worker should be retried."""


class NotFoundError(RequestError):
    """No such job (unknown or expired), or no such table in its result."""


class ConflictError(RequestError):
    """The job is not in a state that allows the request (a table of a job that is not done)."""


class TooManyRequestsError(RequestError):
    """Too many jobs await an upload (from this client or in total); ``retry_after`` seconds until one
    form expires and the caller may try again."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
