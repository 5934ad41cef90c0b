"""Every public function of hkfactor.methods shows an example (the examples run in tests/test_doctests.py)."""

from __future__ import annotations


def test_public_surface_is_documented() -> None:
    import hkfactor.methods as m

    for name in m.__all__:
        obj = getattr(m, name)
        if callable(obj):
            assert (obj.__doc__ and "Examples" in obj.__doc__) or isinstance(obj, type), name
