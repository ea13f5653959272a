"""The errors resdiff raises on purpose, each with a message a person can act on.

    ResdiffError                 anything resdiff reports as a one-line error
    ├── InputError               a file that cannot be read as a resolution
    │   ├── EmptyInputError      nothing in it
    │   ├── EncodingError        not text in any encoding resdiff reads
    │   └── ParseError           text, but not a resolution (no operative part, ...)
    ├── SymbolError              a document symbol that is not valid
    ├── SourceError              a document that could not be found or fetched
    │   ├── OfflineError         the network was needed but is not allowed or not reachable
    │   ├── FetchError           the UN services answered wrongly (HTML for a PDF, truncated, ...)
    │   └── CacheError           a cached file that no longer matches its manifest
    └── PlanError                a batch plan that cannot be run

The CLI catches `ResdiffError` only and prints its message as `Error: ...`; anything else is a
bug and shows its traceback.
"""

from __future__ import annotations


class ResdiffError(Exception):
    """Base class of every error resdiff reports to its user."""


class InputError(ResdiffError):
    """A file that cannot be read as a resolution."""


class EmptyInputError(InputError):
    """The input holds no text at all."""


class EncodingError(InputError):
    """The input is not text, or not in an encoding resdiff reads."""


class ParseError(InputError):
    """The input is text but not a resolution resdiff can segment."""


class SymbolError(ResdiffError):
    """A document symbol that is not valid."""


class SourceError(ResdiffError):
    """A document that could not be found or fetched."""


class OfflineError(SourceError):
    """The network was needed but is forbidden (--offline) or unreachable."""


class FetchError(SourceError):
    """The UN services answered, but not with the document."""


class CacheError(SourceError):
    """A cached file that no longer matches its manifest entry."""


class PlanError(ResdiffError):
    """A batch plan that cannot be read or run."""
