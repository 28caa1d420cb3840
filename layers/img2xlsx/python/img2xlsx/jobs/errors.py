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
