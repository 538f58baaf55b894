"""fleetup: plan Elastic Fleet integration-policy upgrades exactly as Kibana does.

Python bindings of libfleetup (the C ABI of the Rust core), loaded with cffi.

Typed functions:

- :func:`compare` / :func:`satisfies`: node-semver 7.8.5 semantics, as Kibana Fleet uses;
- :func:`dry_run`: Fleet's upgrade dry run for one package policy;
- :func:`plan`: upgrade-plan operations;
- :func:`agent_diff` / :func:`standalone_inputs` / :func:`agent_templates`: what Elastic Agent
  runs for a policy (compiled agent templates), before and after an upgrade;
- :func:`call`: any operation of the JSON contract (``call("semver.valid", version="1.2.3")``).

Errors are raised as subclasses of :class:`FleetupError`, one per stable code (see
:mod:`fleetup.errors`). Every function is thread-safe; the library releases the GIL during
calls, so threads run in parallel.

Importing checks that the loaded library's ABI version matches this package and raises
``ImportError`` naming both values if not.
"""

from ._api import (
    ABI_VERSION,
    AgentDiff,
    DryRunResult,
    JsonInput,
    abi_version,
    agent_diff,
    agent_templates,
    call,
    call_bytes,
    compare,
    dry_run,
    library_version,
    plan,
    satisfies,
    standalone_inputs,
)
from .errors import *  # noqa: F401,F403  (the exception classes are part of the API)
from .errors import __all__ as _error_names

#: The installed package version.
__version__ = library_version()

__all__ = [
    "ABI_VERSION",
    "AgentDiff",
    "DryRunResult",
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
    *_error_names,
]
