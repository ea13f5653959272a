"""resdiff: how a United Nations General Assembly resolution changed from one version to the next.

>>> import pipeline
>>> res = pipeline.load("sources/A_RES_74_175-EN.seed.md")
>>> len(res.operative)
30
"""

from __future__ import annotations

from pipeline.api import compare, load
from pipeline.comparison import Comparison
from pipeline.errors import ResdiffError
from pipeline.models import Paragraph, Resolution, Section

# Imported here, not lazily: the function `series` is bound over the submodule of the same
# name, which a later first import of `pipeline.series` would otherwise rebind.
from pipeline.series import Series, series

__all__ = ["Comparison", "Paragraph", "Resolution", "ResdiffError", "Section", "Series",
           "compare", "load", "series"]
