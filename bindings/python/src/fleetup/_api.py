"""The typed API over libfleetup (cffi, ABI mode). See :mod:`fleetup` for the overview."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Optional, Union

from ._native import ffi, lib
from .errors import FleetupError, error_for

#: The ABI version this Python code was written for (``FLEETUP_ABI_VERSION``).
ABI_VERSION = 1

#: A JSON document given as a Python value (``dict``/``list``/…), ``str`` or UTF-8 ``bytes``.
JsonInput = Union[Mapping[str, Any], List[Any], str, bytes]

_OPTION_LOOSE = 1
_OPTION_INCLUDE_PRERELEASE = 2


def _check_abi(expected: int, header: int, runtime: int) -> None:
    """Raises ImportError unless all three ABI versions agree (named in the message)."""
    if not expected == header == runtime:
        raise ImportError(
            "fleetup: ABI version mismatch: this package expects FLEETUP_ABI_VERSION "
            f"{expected}, was built against {header}, and the loaded libfleetup reports "
            f"{runtime}; reinstall fleetup so the Python code and the library match"
        )


_check_abi(ABI_VERSION, int(lib.FLEETUP_ABI_VERSION), int(lib.fleetup_abi_version()))


# C types resolved once: looking a type up by its string costs as much as the call itself.
_U8_ARRAY = ffi.typeof("uint8_t[]")
_BOOL_P = ffi.typeof("bool *")
_I32_P = ffi.typeof("int32_t *")
_BYTES_P = ffi.typeof("fleetup_bytes *")
_NULL = ffi.NULL


def _buffer(data: bytes) -> Any:
    # Borrowed without copying: the library never keeps a pointer past the call.
    return ffi.from_buffer(_U8_ARRAY, data) if data else _NULL


def _raise_if_error(err: Any) -> None:
    if err == _NULL:
        return
    try:
        number = int(lib.fleetup_error_code(err))
        message = ffi.string(lib.fleetup_error_message(err)).decode("utf-8", "replace")
        path_ptr = lib.fleetup_error_path(err)
        path = None if path_ptr == ffi.NULL else ffi.string(path_ptr).decode("utf-8", "replace")
    finally:
        lib.fleetup_error_free(err)
    raise error_for(number, message, path)


def _bytes_call(fn: Callable[..., Any], *args: Any) -> bytes:
    """Runs a function whose last parameter is ``fleetup_bytes *out``; returns a copy."""
    out = ffi.new(_BYTES_P)
    _raise_if_error(fn(*args, out))
    try:
        return bytes(ffi.buffer(out.ptr, out.len)) if out.len else b""
    finally:
        lib.fleetup_bytes_free(out[0])


def _json_bytes(value: JsonInput) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _options(loose: bool, include_prerelease: bool) -> int:
    return (_OPTION_LOOSE if loose else 0) | (_OPTION_INCLUDE_PRERELEASE if include_prerelease else 0)


def abi_version() -> int:
    """The ABI version of the loaded library."""
    return int(lib.fleetup_abi_version())


def library_version() -> str:
    """The version of the loaded libfleetup, e.g. ``"0.1.0"``."""
    return ffi.string(lib.fleetup_version()).decode("ascii")


def compare(a: str, b: str, *, loose: bool = False, include_prerelease: bool = False) -> int:
    """Compares two versions by node-semver precedence (build metadata ignored).

    Returns ``-1``, ``0`` or ``1``.

    Raises:
        InvalidVersionError: when either string is not a version (``path`` is ``/a`` or ``/b``).
        InvalidUtf8Error: when a string holds lone surrogates.

    >>> compare("1.2.3", "1.10.0")
    -1
    """
    ab = a.encode("utf-8", "surrogatepass")
    bb = b.encode("utf-8", "surrogatepass")
    out = ffi.new(_I32_P)
    err = lib.fleetup_version_compare(
        _buffer(ab), len(ab), _buffer(bb), len(bb), _options(loose, include_prerelease), out
    )
    if err != _NULL:
        _raise_if_error(err)
    return int(out[0])


def satisfies(
    version: str, range: str, *, loose: bool = False, include_prerelease: bool = False
) -> bool:
    """Whether ``version`` satisfies the node-semver ``range``, exactly as Kibana decides.

    Invalid input is not an error: the answer is ``False``, as in node-semver. Prerelease
    versions match only ranges naming a prerelease of the same major.minor.patch unless
    ``include_prerelease`` is set.

    >>> satisfies("9.1.0", "^8.13.0 || ^9.0.0")
    True
    """
    vb = version.encode("utf-8", "surrogatepass")
    rb = range.encode("utf-8", "surrogatepass")
    out = ffi.new(_BOOL_P)
    err = lib.fleetup_version_satisfies(
        _buffer(vb), len(vb), _buffer(rb), len(rb), _options(loose, include_prerelease), out
    )
    if err != _NULL:
        _raise_if_error(err)
    return bool(out[0])


@dataclass(frozen=True)
class DryRunResult:
    """One policy's upgrade preview, as Fleet's dry-run API returns it.

    ``current`` and ``proposed`` are Kibana's ``diff[0]`` and ``diff[1]`` (the proposed policy
    carries ``errors`` when validation fails); ``changes`` is fleetup's field-level change list.
    """

    #: The package policy's name.
    name: Optional[str]
    #: The policy as it is now (``diff[0]``).
    current: Any
    #: The upgraded policy (``diff[1]``).
    proposed: Any
    #: Whether the upgraded policy fails validation (``hasErrors``).
    has_errors: bool
    #: Field-level changes (empty when the library has none to report).
    changes: List[Any]
    #: The whole response object, unchanged.
    raw: Mapping[str, Any]


def dry_run(package_policy: JsonInput, package_info: JsonInput) -> DryRunResult:
    """Previews upgrading ``package_policy`` to the package described by ``package_info``.

    Both arguments are Kibana's JSON shapes (a package policy and a PackageInfo), given as
    Python values, JSON text or UTF-8 bytes.

    Raises:
        FleetupError: a subclass such as :class:`InvalidJsonError` or
            :class:`InvalidPolicyError`, with ``path`` pointing into the arguments.
    """
    pb, ib = _json_bytes(package_policy), _json_bytes(package_info)
    raw = json.loads(
        _bytes_call(lib.fleetup_upgrade_dry_run, _buffer(pb), len(pb), _buffer(ib), len(ib))
    )
    diff = raw.get("diff") or [None, None]
    return DryRunResult(
        name=raw.get("name"),
        current=diff[0] if len(diff) > 0 else None,
        proposed=diff[1] if len(diff) > 1 else None,
        has_errors=bool(raw.get("hasErrors")),
        changes=list(raw.get("changes") or []),
        raw=raw,
    )


def agent_templates(path: str) -> Dict[str, str]:
    """Reads a package's Elastic Agent templates (directory or registry ``.zip``), keyed by their
    path in the package: the ``agent_templates`` argument of the agent functions."""
    return dict(call("package.agent_templates", path=path))


@dataclass(frozen=True)
class AgentDiff:
    """What Elastic Agent runs for a policy before and after an upgrade.

    Secret values are masked in every field.
    """

    #: The agent inputs today.
    before: List[Any]
    #: The agent inputs after the upgrade.
    after: List[Any]
    #: Structured changes (``kind``, ``input_type``, ``dataset``, ``path``, ``before``, ``after``,
    #: ``message``).
    changes: List[Any]
    #: A unified diff of the two ``inputs:`` YAML documents ("" when they are equal).
    unified: str


def agent_diff(
    current: JsonInput,
    proposed: JsonInput,
    package_info: JsonInput,
    *,
    agent_templates: Optional[Mapping[str, str]] = None,
    current_package_info: Optional[JsonInput] = None,
    current_agent_templates: Optional[Mapping[str, str]] = None,
    agent_version: Optional[str] = None,
) -> AgentDiff:
    """The agent configuration diff of an upgrade (operation ``agent.diff``).

    With ``agent_templates`` (the target's), ``proposed`` is compiled first; with
    ``current_package_info`` and ``current_agent_templates``, ``current`` is too (otherwise its
    stored ``compiled_input``/``compiled_stream`` fields are used).

    Raises:
        TemplateError: a template is missing or fails to render.
    """
    args: Dict[str, Any] = {
        "current": _value(current),
        "proposed": _value(proposed),
        "package_info": _value(package_info),
    }
    for key, value in (
        ("agent_templates", agent_templates),
        ("current_package_info", current_package_info),
        ("current_agent_templates", current_agent_templates),
        ("agent_version", agent_version),
    ):
        if value is not None:
            args[key] = _value(value)
    raw = call("agent.diff", **args)
    return AgentDiff(
        before=list(raw["before"]),
        after=list(raw["after"]),
        changes=list(raw["changes"]),
        unified=str(raw["unified"]),
    )


def standalone_inputs(
    package_policy: JsonInput, package_info: JsonInput, agent_templates: Mapping[str, str]
) -> str:
    """The ``inputs:`` section of a standalone ``elastic-agent.yml`` for ``package_policy``, as
    YAML text (operation ``agent.standalone_inputs``)."""
    out = call(
        "agent.standalone_inputs",
        package_policy=_value(package_policy),
        package_info=_value(package_info),
        agent_templates=dict(agent_templates),
    )
    return str(out["yaml"])


def _value(v: Any) -> Any:
    """JSON text or UTF-8 bytes become Python values; anything else passes as it is."""
    if isinstance(v, (bytes, bytearray)):
        return json.loads(bytes(v).decode("utf-8"))
    if isinstance(v, str):
        return json.loads(v)
    return v


def plan(op: str, **args: Any) -> Any:
    """Runs an upgrade-plan operation (``op`` names a ``plan.*`` operation) and returns its result.

    Raises:
        InvalidArgumentError: when ``op`` is not a ``plan.`` operation.
        UnknownOpError: when no such plan operation exists.
    """
    req = _json_bytes({"op": op, "args": args})
    return json.loads(_bytes_call(lib.fleetup_plan, _buffer(req), len(req)))


def call_bytes(request: bytes) -> bytes:
    """Runs one raw JSON request and returns the raw response envelope.

    The envelope is ``{"ok": …}`` or ``{"error": {"code", "message", "path"?}}``; request
    problems (invalid UTF-8 or JSON, unknown op) are reported inside it, never raised.
    """
    return _bytes_call(lib.fleetup_call, _buffer(request), len(request))


def call(op: str, **args: Any) -> Any:
    """Runs operation ``op`` of the fleetup JSON contract with keyword arguments.

    Returns the operation's result as Python values.

    Raises:
        FleetupError: the subclass for the error's code, e.g. :class:`UnknownOpError`.

    >>> call("semver.valid", version=" v1.2.3 ")
    '1.2.3'
    """
    envelope = json.loads(call_bytes(_json_bytes({"op": op, "args": args})))
    if "error" in envelope:
        e = envelope["error"]
        raise error_for(e.get("code", ""), e.get("message", ""), e.get("path"))
    return envelope["ok"]


__all__ = [
    "ABI_VERSION",
    "AgentDiff",
    "DryRunResult",
    "FleetupError",
    "JsonInput",
    "abi_version",
    "agent_diff",
    "agent_templates",
    "call",
    "call_bytes",
    "compare",
    "dry_run",
    "library_version",
    "plan",
    "satisfies",
    "standalone_inputs",
]
