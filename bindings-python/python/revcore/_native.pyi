# Type stubs of the native module (src/*.rs); `revcore/__init__.pyi` re-exports them.
# tests/test_stubs.py checks them against the runtime names.

import datetime
import os
from typing import Any, Dict, Iterable, Iterator, List, Literal, Mapping, Optional, Sequence, Union, final

from revcore.types import Pipeline, Stage, World

__all__ = [
    "classify_stage",
    "default_pipeline",
    "kinds",
    "normalize",
    "schema",
    "validate",
    "Condition",
    "ContentLibrary",
    "Router",
    "simulate",
    "sample_generate",
    "Scorer",
    "PredictiveModel",
    "threshold_for_capacity",
    "readiness",
    "kpi_report",
    "funnel",
    "coaching_flags",
    "read_opportunities_csv",
    "read_leads_csv",
    "read_accounts_csv",
    "Records",
    "__version__",
]

__version__: str
"""The library version, the same string in every host (`revcore::VERSION`)."""

def validate(kind: str, obj: Any, pipeline: Optional[Mapping[str, Any]] = None) -> None:
    """Checks a document of `kind` (see `kinds()`).

    Raises `ValidationError` or `ParseError` listing every problem, `NotFoundError` for an
    unknown kind. `pipeline` is the pipeline opportunities' stages must belong to.
    """

def normalize(kind: str, obj: Any, pipeline: Optional[Mapping[str, Any]] = None) -> Any:
    """The canonical wire form of a document: defaults filled in, unknown record keys moved
    into `attributes`, money and instants normalised. Raises like `validate`."""

def schema(kind: str) -> Dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a kind. Raises `NotFoundError` for an unknown kind."""

def kinds() -> List[str]:
    """Every kind `validate`, `normalize` and `schema` accept (`"lead"`, `"leads"`, `"world"`, ...)."""

def default_pipeline() -> Pipeline:
    """The default pipeline in wire form."""

def classify_stage(label: str, pipeline: Optional[Mapping[str, Any]] = None) -> Optional[Stage]:
    """The stage whose key, name or alias is `label` in `pipeline` (the default pipeline when
    None), or None."""

@final
class Condition:
    """A parsed, validated condition (`{"all": [...]}`, `{"any": [...]}`, `{"not": ...}`,
    `{"field": "country", "in": ["US", "CA"]}`, ...). Immutable, hashable, equal by canonical form.
    """

    def __new__(cls, spec: Mapping[str, Any]) -> "Condition":
        """Raises `ConfigError` listing every problem of the spec with its path."""
    def matches(self, record: Mapping[str, Any]) -> bool:
        """Whether the record (a dict; datetimes, dates and Decimals allowed) satisfies the condition."""
    def explain(self, record: Mapping[str, Any]) -> Dict[str, Any]:
        """`{"matched": bool, "node": {...}}`: how every node of the condition came out."""
    def to_dict(self) -> Dict[str, Any]:
        """The canonical spec: `Condition(c.to_dict()) == c`."""
    @property
    def fields(self) -> List[str]:
        """The field paths the condition reads, sorted and deduplicated."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __repr__(self) -> str: ...

@final
class ContentLibrary:
    """A content library (docs/content.md): validated assets, full-text search and deal
    recommendations. Searches release the GIL and may run from many threads at once.
    """

    def __new__(cls, assets: Iterable[Mapping[str, Any]]) -> "ContentLibrary":
        """Raises `ValidationError` / `ParseError` listing every problem under `assets[i]`
        (`duplicate_id`, `end_before_start`, `blank_tag`, ...)."""
    def add(self, asset: Mapping[str, Any]) -> None:
        """Adds an asset; `ConflictError` (`duplicate_id` at `asset.id`) when its id is taken."""
    def update(self, asset: Mapping[str, Any]) -> None:
        """Replaces the asset with the same id; `NotFoundError` at `asset.id` when there is none."""
    def remove(self, asset_id: str) -> Dict[str, Any]:
        """Removes the asset and returns it; `NotFoundError` at `asset_id`."""
    def get(self, asset_id: str) -> Dict[str, Any]:
        """The asset; `NotFoundError` at `asset_id`."""
    def assets(self) -> List[Dict[str, Any]]:
        """Every asset, by id."""
    def __len__(self) -> int: ...
    def search(
        self, query: str, filters: Optional[Mapping[str, Any]] = None, limit: int = 10
    ) -> List[Dict[str, Any]]:
        """At most `limit` (1..1000) hits, best first: `asset_id`, `title`, `type`, `score`
        (BM25F, 4 decimals) and `snippet` (matched words in `**`). `filters`: tag lists,
        `types`, `statuses` (default published only), `as_of` (a date, or an aware datetime
        whose UTC day counts; default: no date check).
        A query over 1000 characters or 32 terms raises `ValidationError` at `query`."""
    def recommend(
        self,
        context: Mapping[str, Any],
        limit: int = 5,
        usage: Optional[Iterable[Mapping[str, Any]]] = None,
    ) -> List[Dict[str, Any]]:
        """At most `limit` published, current, right-language assets for a deal (`stage`,
        `industry`, `personas`, `products`, `region`, `language`, `as_of`), best first, each
        with `score` and `reasons`. `usage`: `{asset_id, uses, effectiveness}` per asset."""
    def analytics(
        self,
        events: Iterable[Mapping[str, Any]],
        opportunities: Iterable[Mapping[str, Any]],
        *,
        as_of: Union[datetime.datetime, str],
        stale_after_days: Optional[int] = None,
        expiring_within_days: Optional[int] = None,
        pipeline: Optional[Mapping[str, Any]] = None,
    ) -> Dict[str, Any]:
        """Content analytics as of `as_of` (docs/content.md, "Analytics"): `{"as_of",
        "closed_deals", "won_deals", "assets" (usage per asset), "influence" (win rate of closed
        deals that used each asset vs not, 95% Wilson intervals, by stage at first use),
        "stale", "unmatched"}`."""

@final
class Router:
    """A lead router (docs/routing.md): config, reps, accounts and its counters. Immutable from
    Python; share it between threads freely (routing releases the GIL). `now` is a
    timezone-aware datetime or an RFC 3339 str; a naive datetime raises `ParseError`.
    """

    def __new__(
        cls,
        config: Mapping[str, Any],
        reps: Iterable[Mapping[str, Any]],
        accounts: Optional[Iterable[Mapping[str, Any]]] = None,
        state: Optional[Mapping[str, Any]] = None,
    ) -> "Router":
        """Raises `ConfigError`, `ParseError` or `ValidationError` listing every problem with its
        path (`config.pools[0].members[1].rep_id`, `reps[2].time_zone`, `state.version`, ...)."""
    def route(self, lead: Mapping[str, Any], now: Union[datetime.datetime, str]) -> Dict[str, Any]:
        """Routes one lead at `now` and records the assignment: the decision with its trace."""
    def preview(self, lead: Mapping[str, Any], now: Union[datetime.datetime, str]) -> Dict[str, Any]:
        """The decision `route` would make, changing nothing."""
    def route_batch(self, leads: Iterable[Mapping[str, Any]], now: Union[datetime.datetime, str]) -> List[Dict[str, Any]]:
        """Routes leads (a list or any iterable) in order at one `now`, as one by one."""
    def state(self) -> Dict[str, Any]:
        """The counters and pointers; `Router(..., state=r.state())` continues where `r` is."""
    def lead_fields(self) -> List[str]:
        """The lead keys a decision can read; other keys of a lead are not read, so not checked."""

def simulate(
    config: Mapping[str, Any],
    reps: Iterable[Mapping[str, Any]],
    leads: Iterable[Mapping[str, Any]],
    accounts: Optional[Iterable[Mapping[str, Any]]] = None,
) -> Dict[str, Any]:
    """Replays `leads` in `created_at` order, each at its own `created_at`, from an empty state:
    `{"leads", "assigned", "queued", "per_rep", "per_territory", "per_rule", "cap_hits", "pools"}`."""

@final
class Scorer:
    """A rule scorer (docs/scoring.md): a checked, compiled scoring model. Immutable; share it
    between threads freely (scoring releases the GIL). `now` is a timezone-aware datetime or an
    RFC 3339 str, required (positionally after `events`, or by keyword); a naive datetime or
    None raises `ParseError` at `now`. `events` is None (no events) or an iterable of events;
    events of other leads are counted as `other_lead` and ignored.
    """

    def __new__(cls, model: Mapping[str, Any]) -> "Scorer":
        """Raises `ConfigError` or `ParseError` listing every problem of the model with its path
        under `model` (`model.fit_rules[0].points`, `model.grades`, ...)."""
    def score(
        self,
        lead: Mapping[str, Any],
        events: Optional[Iterable[Mapping[str, Any]]] = None,
        now: Union[datetime.datetime, str, None] = None,
    ) -> Dict[str, Any]:
        """Scores one lead on its events at `now` (required: None raises `ParseError` at
        `now`): fit, engagement, total, grade, mql, every contribution and the event counts.
        Bad input raises `ParseError` with paths under `lead` and `events[i]`."""
    def score_batch(
        self,
        leads: Iterable[Mapping[str, Any]],
        events: Optional[Iterable[Mapping[str, Any]]] = None,
        now: Union[datetime.datetime, str, None] = None,
    ) -> List[Dict[str, Any]]:
        """Scores every lead on the events naming it, at one `now` (required): the same scores
        as `score` of each lead with all the events. Paths of problems: `leads[i]...`,
        `events[i]...`."""
    def lead_fields(self) -> List[str]:
        """The lead keys a score can read; other keys of a lead are not read, so not checked."""

@final
class PredictiveModel:
    """A trained predictive model (docs/predictive.md): logistic regression or naive Bayes on
    rows with feature specs. Immutable; share it between threads freely (training, scoring and
    evaluation release the GIL).

    Rows are a list (or iterable) of dicts, a dict of columns or a pandas DataFrame (read
    column by column). Only the columns the model reads are converted; in them None and NaN
    (and pandas' NA) are missing, an infinity is a `ValidationError` (`not_finite`) at
    `rows[i].<feature>`, NumPy scalars are read as their Python values.
    """

    @classmethod
    def train(
        cls,
        rows: Any,
        label: str,
        features: Iterable[Mapping[str, Any]],
        algorithm: str = "logistic",
        **options: Any,
    ) -> "PredictiveModel":
        """Trains a model. `features` is `[{"name": ..., "kind": "numeric" | "categorical" |
        "boolean", "log": bool}]`, `algorithm` `"logistic"` or `"naive_bayes"`, `options` the
        core's (`lambda` (also `lambda_`), `class_weight`, `max_iter`, `tol`, `alpha`, `bins`,
        `min_level_count`, `max_levels`). Raises `ParseError`, `ConfigError` or
        `ValidationError` listing every problem with its path."""
    @classmethod
    def train_opportunities(
        cls,
        opportunities: Iterable[Mapping[str, Any]],
        as_of: Union[datetime.datetime, str, None],
        algorithm: str = "logistic",
        *,
        pipeline: Optional[Mapping[str, Any]] = None,
        accounts: Optional[Iterable[Mapping[str, Any]]] = None,
        engagement: Optional[Mapping[str, float]] = None,
        **options: Any,
    ) -> "PredictiveModel":
        """Trains a win-probability model (`subject` `"opportunity"`) on the closed deals, with
        the standard deal features; `as_of` (required) is an aware datetime or RFC 3339 str."""
    @classmethod
    def from_json(cls, text: str) -> "PredictiveModel":
        """Loads a model file; `from_json(m.to_json())` gives the same probabilities bit for bit."""
    def to_json(self) -> str:
        """The model file as compact JSON text."""
    def predict(self, row: Mapping[str, Any]) -> Dict[str, Any]:
        """`{"probability", "log_odds", "base", "factors": [{"feature", "value", "bucket",
        "contribution"}]}`; problems at `row.<feature>`."""
    def predict_batch(self, rows: Any) -> List[float]:
        """The probability of every row, in order; problems at `rows[i].<feature>`."""
    def evaluate(self, rows: Any, label: str) -> Dict[str, Any]:
        """`{"rows", "positives", "auc", "log_loss", "brier", "lift", "calibration"}`."""
    def predict_opportunities(
        self,
        opportunities: Iterable[Mapping[str, Any]],
        as_of: Union[datetime.datetime, str, None],
        *,
        pipeline: Optional[Mapping[str, Any]] = None,
        accounts: Optional[Iterable[Mapping[str, Any]]] = None,
        engagement: Optional[Mapping[str, float]] = None,
    ) -> List[Dict[str, Any]]:
        """Scores every deal, in order (`opportunity_id`, `open` and a prediction); an
        opportunity model only."""
    @property
    def algorithm(self) -> str:
        """`"logistic"` or `"naive_bayes"`."""
    @property
    def label(self) -> str:
        """The label column."""
    @property
    def features(self) -> List[Dict[str, Any]]:
        """The features as asked for."""
    @property
    def subject(self) -> str:
        """`"rows"` or `"opportunity"`."""

def threshold_for_capacity(
    scores: Iterable[float],
    capacity_per_week: float,
    inflow_per_week: Optional[float] = None,
    timestamps: Optional[Iterable[Union[datetime.datetime, str]]] = None,
) -> Dict[str, Any]:
    """The lowest score at or above which leads fit a team's weekly capacity: `{"threshold",
    "selected", "share", "inflow_per_week", "selected_per_week", "capacity_per_week"}`. Give
    `inflow_per_week` or `timestamps` (one arrival instant per score)."""

def sample_generate(options: Mapping[str, Any]) -> World:
    """The core's `sample::generate_json`; call it through `revcore.sample.generate`."""

def readiness(
    programs: Iterable[Mapping[str, Any]],
    reps: Iterable[Mapping[str, Any]],
    completions: Iterable[Mapping[str, Any]],
    opportunities: Optional[Iterable[Mapping[str, Any]]] = None,
    *,
    as_of: Union[datetime.datetime, str],
    ramp_quota_share: Optional[float] = None,
    pipeline: Optional[Mapping[str, Any]] = None,
    coaching: Optional[Mapping[str, Any]] = None,
) -> Dict[str, Any]:
    """Each rep's readiness as of `as_of` (docs/content.md, "Readiness"): `{"as_of", "reps":
    [{"rep_id", "role", "score", "required", "completed", "missing", "ramp"}], "unmatched"}`.
    `programs` are training programs (modules, certifications, roles), `completions`
    `{"rep_id", "program_id", "item_id", "completed_at", "passed"}`, `opportunities` the deals
    whose wins make the ramp; `ramp_quota_share` (default 1) is the share of the first quota that
    ends the ramp; `coaching` (`{"metrics", "min_closed_deals", "percentile"}`) adds each rep's
    KPI coaching flags. Raises `ParseError`, `ConfigError` or `ValidationError` listing every
    problem with its path (`programs[0].modules[1].weight`, `options.as_of`)."""

def kpi_report(
    opportunities: Iterable[Mapping[str, Any]],
    metrics: Iterable[str],
    group_by: Optional[Iterable[str]] = None,
    calendar: Optional[Mapping[str, Any]] = None,
    as_of: Union[datetime.datetime, str, None] = None,
    *,
    pipeline: Optional[Mapping[str, Any]] = None,
    quotas: Optional[Iterable[Mapping[str, Any]]] = None,
    leads: Optional[Iterable[Mapping[str, Any]]] = None,
    sla_minutes: Optional[int] = None,
) -> Dict[str, Any]:
    """The native half of `revcore.kpi_report`: `{"columns": [...], "rows": [...]}`."""

def funnel(
    opportunities: Iterable[Mapping[str, Any]],
    as_of: Union[datetime.datetime, str, None] = None,
    *,
    pipeline: Optional[Mapping[str, Any]] = None,
) -> Dict[str, Any]:
    """The stage funnel from stage histories (docs/kpis.md, "Funnel"): `{"deals", "stages":
    [{"stage", "entered", "exited", "advanced", "current", "conversion", "stays", "avg_days",
    "median_days"}]}`, open stages and the won stage in pipeline order."""

def coaching_flags(
    opportunities: Iterable[Mapping[str, Any]],
    metrics: Iterable[str],
    *,
    min_closed_deals: Optional[int] = None,
    percentile: Optional[float] = None,
    as_of: Union[datetime.datetime, str, None] = None,
    pipeline: Optional[Mapping[str, Any]] = None,
) -> Dict[str, Any]:
    """Reps on the wrong side of the team's 25th percentile (75th where lower is better) of
    each metric (docs/kpis.md, "Coaching"): `{"benchmarks": [...], "flags": [{"rep_id",
    "metric", "value", "benchmark", "team_median", "direction"}]}`."""

@final
class Records:
    """The records of one CSV import (docs/import.md), kept on the Rust side, and the problems
    of its bad rows. Indexing and iteration give each record as a dict in the wire format."""

    def __len__(self) -> int: ...
    def __getitem__(self, key: int, /) -> Dict[str, Any]: ...
    def __iter__(self) -> Iterator[Dict[str, Any]]: ...
    @property
    def kind(self) -> str:
        """`"opportunities"`, `"leads"` or `"accounts"`."""
    @property
    def errors(self) -> List[Dict[str, Any]]:
        """One dict per problem of a bad row: `{"line", "column", "field", "code", "message"}`
        (`column` and `field` are None for whole-row problems)."""
    def to_dicts(self) -> List[Dict[str, Any]]:
        """Every record as a dict, in file order."""
    def to_pandas(self) -> Any:
        """A pandas DataFrame, nested values flattened (`amount.amount`, `attributes.Pipeline`)."""

def read_opportunities_csv(
    path: Union[str, "os.PathLike[str]"],
    mapping: Union[Literal["hubspot", "salesforce"], Mapping[str, str]],
    pipeline: Optional[Mapping[str, Any]] = None,
    *,
    date_order: Optional[Literal["mdy", "dmy"]] = None,
    strict: bool = False,
    currency: Optional[str] = None,
    fields: Optional[Sequence[str]] = None,
) -> Records:
    """Opportunities from a CSV export; stage labels are looked up in `pipeline` (the default
    pipeline when None). Bad rows are in `.errors`; `strict=True` raises `ValidationError` on
    the first one. A missing required column raises `ParseError` before any row is read.
    `fields` reads only those fields besides the required ones (like pandas' `usecols`)."""

def read_leads_csv(
    path: Union[str, "os.PathLike[str]"],
    mapping: Union[Literal["hubspot", "salesforce"], Mapping[str, str]],
    pipeline: Optional[Mapping[str, Any]] = None,
    *,
    date_order: Optional[Literal["mdy", "dmy"]] = None,
    strict: bool = False,
    currency: Optional[str] = None,
    fields: Optional[Sequence[str]] = None,
) -> Records:
    """Leads from a CSV export, as `read_opportunities_csv`."""

def read_accounts_csv(
    path: Union[str, "os.PathLike[str]"],
    mapping: Union[Literal["hubspot", "salesforce"], Mapping[str, str]],
    pipeline: Optional[Mapping[str, Any]] = None,
    *,
    date_order: Optional[Literal["mdy", "dmy"]] = None,
    strict: bool = False,
    currency: Optional[str] = None,
    fields: Optional[Sequence[str]] = None,
) -> Records:
    """Accounts from a CSV export, as `read_opportunities_csv`."""
