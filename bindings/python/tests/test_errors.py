"""The exception table against errors.json, the library's meta.error_codes and the C constants."""

from __future__ import annotations

import pytest

import fleetup
from fleetup import errors
from fleetup._api import _check_abi
from fleetup._native import lib
from conftest import suites


def vector_codes():
    return dict(suites())["errors.json"]["codes"]


def test_one_class_per_code_in_errors_json() -> None:
    table = [(c["code"], c["number"]) for c in vector_codes()]
    ours = [(cls.code, cls.number) for cls in errors.ERRORS_BY_CODE.values()]
    assert ours == table


def test_classes_match_meta_error_codes() -> None:
    live = {c["code"]: c["number"] for c in fleetup.call("meta.error_codes")}
    assert live == {code: cls.number for code, cls in errors.ERRORS_BY_CODE.items()}


def test_every_c_constant_maps_to_a_class() -> None:
    constants = {n[len("FLEETUP_ERROR_CODE_"):]: getattr(lib, n) for n in dir(lib) if n.startswith("FLEETUP_ERROR_CODE_")}
    assert constants, "the cffi module exposes the C constants"
    for name, number in constants.items():
        cls = errors.ERRORS_BY_NUMBER[number]
        assert cls.code == name
        assert issubclass(cls, fleetup.FleetupError)
    assert len(constants) == len(errors.ERRORS_BY_CODE)


def test_classes_are_exported_and_distinct() -> None:
    for cls in errors.ERRORS_BY_CODE.values():
        assert getattr(fleetup, cls.__name__) is cls
        assert cls.__doc__
    assert len(set(errors.ERRORS_BY_CODE.values())) == len(errors.ERRORS_BY_CODE)


def test_unknown_codes_still_raise_the_base_class() -> None:
    e = errors.error_for("SOMETHING_NEW", "m", "/x")
    assert type(e) is fleetup.FleetupError and e.code == "SOMETHING_NEW" and e.path == "/x"
    e = errors.error_for(999, "m")
    assert type(e) is fleetup.FleetupError and e.number == 999


def test_errors_carry_code_message_and_path() -> None:
    with pytest.raises(fleetup.InvalidVersionError) as info:
        fleetup.compare("1.2.3", "nope")
    assert info.value.path == "/b" and info.value.number == 10 and "nope" in info.value.message
    with pytest.raises(fleetup.UnknownOpError) as info2:
        fleetup.call("no.such.op")
    assert info2.value.path == "/op"
    with pytest.raises(fleetup.InvalidArgumentError):
        fleetup.plan("meta.ops")


def test_abi_mismatch_raises_import_error_naming_both() -> None:
    _check_abi(1, 1, 1)
    with pytest.raises(ImportError) as info:
        _check_abi(1, 1, 2)
    assert "1" in str(info.value) and "2" in str(info.value)
    assert fleetup.abi_version() == fleetup.ABI_VERSION == lib.FLEETUP_ABI_VERSION
