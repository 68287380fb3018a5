# Type stubs of the public `revcore` API; the native part is declared in `_native.pyi`.
# tests/test_stubs.py checks that every name in `revcore.__all__` is declared here.

from revcore import sample as sample
from revcore._native import (
    Condition as Condition,
    ContentLibrary as ContentLibrary,
    PredictiveModel as PredictiveModel,
    Router as Router,
    Scorer as Scorer,
    __version__ as __version__,
    classify_stage as classify_stage,
    coaching_flags as coaching_flags,
    default_pipeline as default_pipeline,
    funnel as funnel,
    kinds as kinds,
    normalize as normalize,
    readiness as readiness,
    schema as schema,
    simulate as simulate,
    threshold_for_capacity as threshold_for_capacity,
    validate as validate,
)
from revcore.table import Table as Table, kpi_report as kpi_report
from revcore.errors import (
    ConfigError as ConfigError,
    ConflictError as ConflictError,
    NotFoundError as NotFoundError,
    ParseError as ParseError,
    RevcoreError as RevcoreError,
    ValidationError as ValidationError,
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
    "sample",
    "RevcoreError",
    "ParseError",
    "ValidationError",
    "ConfigError",
    "NotFoundError",
    "ConflictError",
]
