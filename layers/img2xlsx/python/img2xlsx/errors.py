"""Errors a user can act on: each is shown to the user as its message, never as a traceback."""

from __future__ import annotations


class Img2XlsxError(Exception):
    """Base class: a failure with a human-readable reason."""

    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(Img2XlsxError):
    """The input itself is unusable; retrying cannot help."""

    code = "bad_input"


class EmptyInputError(InputError):
    code = "empty"


class NotAnImageError(InputError):
    code = "not_an_image"


class UnsupportedFormatError(InputError):
    code = "unsupported_format"


class TruncatedImageError(InputError):
    code = "truncated"


class ImageTooLargeError(InputError):
    code = "too_large"


class ImageTooSmallError(InputError):
    code = "too_small"
