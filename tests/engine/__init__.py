"""Tests of the evaluation engine (hkfactor.engine)."""
