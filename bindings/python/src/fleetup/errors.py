"""Exception classes: one per stable fleetup error code, written out by hand.

Every exception derives from :class:`FleetupError` and carries ``code`` (the stable string,
e.g. ``"INVALID_VERSION"``), ``number`` (the C ABI's ``FLEETUP_ERROR_CODE_*`` value),
``message`` and ``path`` (a JSON Pointer into the arguments, or ``None``). Catch by class,
never by parsing messages.
"""

from __future__ import annotations

from typing import ClassVar, Dict, Optional, Type

__all__ = [
    "FleetupError",
    "NullArgumentError",
    "InvalidUtf8Error",
    "InvalidJsonError",
    "UnknownOpError",
    "InvalidArgumentError",
    "LimitExceededError",
    "InvalidVersionError",
    "InvalidRangeError",
    "InvalidConstraintError",
    "PackageNotFoundError",
    "InvalidPackageError",
    "InvalidYamlError",
    "InvalidArchiveError",
    "IoError",
    "PackagePolicyValidationError",
    "InvalidPolicyError",
    "UpgradeNotAllowedError",
    "TemplateError",
    "InvalidEditError",
    "InternalError",
    "ERRORS_BY_CODE",
    "ERRORS_BY_NUMBER",
    "error_for",
]


class FleetupError(Exception):
    """Base class of every error fleetup reports."""

    #: The stable string code (``""`` only for a code this package does not know).
    code: ClassVar[str] = ""
    #: The stable number, equal to the C constant ``FLEETUP_ERROR_CODE_<code>``.
    number: ClassVar[int] = 0

    def __init__(self, message: str, path: Optional[str] = None) -> None:
        super().__init__(message)
        #: The human-readable message.
        self.message = message
        #: A JSON Pointer (RFC 6901) to the offending argument, or ``None``.
        self.path = path

    def __str__(self) -> str:
        where = f" (at {self.path})" if self.path else ""
        return f"{self.code or 'ERROR'}: {self.message}{where}"


class NullArgumentError(FleetupError):
    """A required pointer was NULL (a bug in a binding, not in the caller's data)."""

    code = "NULL_ARGUMENT"
    number = 1


class InvalidUtf8Error(FleetupError):
    """Text was not valid UTF-8."""

    code = "INVALID_UTF8"
    number = 2


class InvalidJsonError(FleetupError):
    """A request or document was not valid JSON."""

    code = "INVALID_JSON"
    number = 3


class UnknownOpError(FleetupError):
    """The request named an operation that does not exist."""

    code = "UNKNOWN_OP"
    number = 4


class InvalidArgumentError(FleetupError):
    """An argument was missing or had the wrong type."""

    code = "INVALID_ARGUMENT"
    number = 5


class LimitExceededError(FleetupError):
    """An input exceeded a documented size, depth or count limit."""

    code = "LIMIT_EXCEEDED"
    number = 6


class InvalidVersionError(FleetupError):
    """A version string is not a valid version."""

    code = "INVALID_VERSION"
    number = 10


class InvalidRangeError(FleetupError):
    """A range string is not a valid node-semver range."""

    code = "INVALID_RANGE"
    number = 11


class InvalidConstraintError(FleetupError):
    """A constraint is not valid for the package registry's semver flavour."""

    code = "INVALID_CONSTRAINT"
    number = 12


class PackageNotFoundError(FleetupError):
    """A package path does not exist or holds no manifest."""

    code = "PACKAGE_NOT_FOUND"
    number = 20


class InvalidPackageError(FleetupError):
    """A package's manifest or files are structurally invalid."""

    code = "INVALID_PACKAGE"
    number = 21


class InvalidYamlError(FleetupError):
    """A YAML document could not be parsed."""

    code = "INVALID_YAML"
    number = 22


class InvalidArchiveError(FleetupError):
    """A ``.zip`` archive is corrupt or unsafe."""

    code = "INVALID_ARCHIVE"
    number = 23


class IoError(FleetupError):
    """Reading a file failed."""

    code = "IO_ERROR"
    number = 24


class PackagePolicyValidationError(FleetupError):
    """An upgraded package policy failed validation (Kibana's message)."""

    code = "PACKAGE_POLICY_VALIDATION"
    number = 30


class InvalidPolicyError(FleetupError):
    """A package policy document has the wrong shape."""

    code = "INVALID_POLICY"
    number = 31


class UpgradeNotAllowedError(FleetupError):
    """The requested upgrade is not allowed."""

    code = "UPGRADE_NOT_ALLOWED"
    number = 32


class TemplateError(FleetupError):
    """An agent template failed to compile."""

    code = "TEMPLATE_ERROR"
    number = 33


class InvalidEditError(FleetupError):
    """A conflict-resolution edit could not be applied."""

    code = "INVALID_EDIT"
    number = 40


class InternalError(FleetupError):
    """A bug in fleetup: a panic was caught at the boundary. Please report it."""

    code = "INTERNAL"
    number = 100


_ALL: "tuple[Type[FleetupError], ...]" = (
    NullArgumentError,
    InvalidUtf8Error,
    InvalidJsonError,
    UnknownOpError,
    InvalidArgumentError,
    LimitExceededError,
    InvalidVersionError,
    InvalidRangeError,
    InvalidConstraintError,
    PackageNotFoundError,
    InvalidPackageError,
    InvalidYamlError,
    InvalidArchiveError,
    IoError,
    PackagePolicyValidationError,
    InvalidPolicyError,
    UpgradeNotAllowedError,
    TemplateError,
    InvalidEditError,
    InternalError,
)

#: Exception class for each stable string code.
ERRORS_BY_CODE: Dict[str, Type[FleetupError]] = {cls.code: cls for cls in _ALL}
#: Exception class for each stable number.
ERRORS_BY_NUMBER: Dict[int, Type[FleetupError]] = {cls.number: cls for cls in _ALL}


def error_for(code: "str | int", message: str, path: Optional[str] = None) -> FleetupError:
    """Builds the exception for a code (string or number).

    A code this package does not know (from a newer library) gives a plain
    :class:`FleetupError` whose ``code`` or ``number`` is set on the instance.
    """
    cls = ERRORS_BY_CODE.get(code) if isinstance(code, str) else ERRORS_BY_NUMBER.get(code)
    if cls is not None:
        return cls(message, path)
    err = FleetupError(message, path)
    if isinstance(code, str):
        err.code = code  # type: ignore[misc]
    else:
        err.number = code  # type: ignore[misc]
    return err
