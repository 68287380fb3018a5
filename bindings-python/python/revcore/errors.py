"""The exceptions revcore raises, one class per core error code.

Every exception carries ``code`` (the core's stable code: ``parse``, ``validation``,
``invalid_config``, ``not_found``, ``conflict``) and ``errors``: every problem found, each a
dict ``{"path": ..., "code": ..., "message": ...}`` where ``path`` is the JSON path of the
offending field within the argument (``email``, ``stages[2].key``, ``attributes.when``).
Branch on ``code`` and ``errors``; messages are for people and may be reworded.

The classes are plain Python so that they can extend ``ValueError`` and ``LookupError``; the
native module only picks the class by code and fills it in.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Mapping, Optional

__all__ = [
    "RevcoreError",
    "ParseError",
    "ValidationError",
    "ConfigError",
    "NotFoundError",
    "ConflictError",
]


class RevcoreError(Exception):
    """Base class of every error revcore raises."""

    #: The code an instance gets when none is given.
    default_code = "error"

    code: str
    errors: List[Dict[str, str]]

    def __init__(
        self,
        message: str = "",
        *,
        code: Optional[str] = None,
        errors: Optional[Iterable[Mapping[str, Any]]] = None,
    ) -> None:
        super().__init__(message)
        self.code = self.default_code if code is None else code
        self.errors = [dict(e) for e in errors] if errors is not None else []

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else self.code

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r}, code={self.code!r}, errors={self.errors!r})"

    def __reduce__(self) -> Any:
        return (_rebuild, (type(self), str(self), self.code, self.errors))


def _rebuild(cls: type, message: str, code: str, errors: List[Dict[str, str]]) -> RevcoreError:
    return cls(message, code=code, errors=errors)


class ParseError(RevcoreError, ValueError):
    """The input does not have the expected shape: a wrong type, a missing or unknown key,
    or a Python value with no JSON form (a naive datetime, NaN, an arbitrary object)."""

    default_code = "parse"


class ValidationError(RevcoreError, ValueError):
    """A well-formed document whose values break a rule (a bad email, a negative amount)."""

    default_code = "validation"


class ConfigError(RevcoreError, ValueError):
    """A config (condition, pipeline, routing config, model) that cannot be used, including
    one past an explicit limit (depth, size, regex length)."""

    default_code = "invalid_config"


class NotFoundError(RevcoreError, LookupError):
    """A named thing (a kind, a rep, a territory) that does not exist."""

    default_code = "not_found"


class ConflictError(RevcoreError):
    """A state or version that does not fit the current one."""

    default_code = "conflict"
