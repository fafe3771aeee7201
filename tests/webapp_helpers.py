"""Helpers shared by the web app's test modules (their fixtures ``app``/``client`` are in
``tests/conftest.py``)."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest
from flask import Flask

from webapp import create_app


def real_build_app(build: Path) -> Flask:
    """The web app on a real build folder; the calling test fails when the build does not load."""
    app = create_app({"TESTING": True, "BUILD_DIR": build})
    if app.extensions["parcs"].network is None:
        pytest.fail(f"the real build did not load: {app.extensions['parcs'].error}")
    return app


def run_doctests(module: str) -> doctest.TestResults:
    """Run the examples in the docstrings of ``module`` (``webapp`` is not among pytest's doctest
    paths)."""
    return doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
