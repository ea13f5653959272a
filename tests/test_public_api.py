"""The public surface: what `pipeline` exports is documented and importable, nothing else leaks."""

from __future__ import annotations

import inspect

import pipeline


def test_all_names_exist_and_are_documented() -> None:
    for name in pipeline.__all__:
        obj = getattr(pipeline, name)
        doc = inspect.getdoc(obj)
        assert doc and len(doc.split("\n")[0]) > 10, name


def test_public_functions_have_examples() -> None:
    for name in ("load", "compare"):
        assert ">>>" in (getattr(pipeline, name).__doc__ or ""), name


def test_no_stray_public_names() -> None:
    public = {n for n in vars(pipeline) if not n.startswith("_") and not inspect.ismodule(getattr(pipeline, n))}
    assert public - {"annotations"} <= set(pipeline.__all__)
