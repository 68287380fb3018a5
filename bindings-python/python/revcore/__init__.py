"""revcore: the revenue-operations engine, from Python. Dicts in, dicts out.

Every rule and number lives in the Rust core; this package converts Python values to the
core's JSON wire format and back (datetimes, dates and Decimals are accepted on the way in).
See ``__init__.pyi`` for the signatures and ``revcore.errors`` for the exceptions.
"""

from __future__ import annotations

from revcore import sample
from revcore._native import (
    Condition,
    ContentLibrary,
    PredictiveModel,
    Records,
    Router,
    Scorer,
    __version__,
    classify_stage,
    coaching_flags,
    default_pipeline,
    funnel,
    kinds,
    normalize,
    read_accounts_csv,
    read_leads_csv,
    read_opportunities_csv,
    readiness,
    schema,
    simulate,
    threshold_for_capacity,
    validate,
)
from revcore.table import Table, kpi_report
from revcore.errors import (
    ConfigError,
    ConflictError,
    NotFoundError,
    ParseError,
    RevcoreError,
    ValidationError,
)

__all__ = [
    "__version__",
    "validate",
    "normalize",
    "schema",
    "kinds",
    "default_pipeline",
    "classify_stage",
    "Condition",
    "ContentLibrary",
    "Router",
    "simulate",
    "Scorer",
    "PredictiveModel",
    "threshold_for_capacity",
    "readiness",
    "kpi_report",
    "Table",
    "funnel",
    "coaching_flags",
    "read_opportunities_csv",
    "read_leads_csv",
    "read_accounts_csv",
    "Records",
    "sample",
    "RevcoreError",
    "ParseError",
    "ValidationError",
    "ConfigError",
    "NotFoundError",
    "ConflictError",
]
