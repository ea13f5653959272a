"""resdiff: how a United Nations General Assembly resolution changed from one version to the next.

>>> import pipeline
>>> res = pipeline.load("sources/A_RES_74_175-EN.seed.md")
>>> len(res.operative)
30
"""

from __future__ import annotations

from pipeline.api import load
from pipeline.errors import ResdiffError
from pipeline.models import Paragraph, Resolution, Section

__all__ = ["Paragraph", "Resolution", "ResdiffError", "Section", "load"]
