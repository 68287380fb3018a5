"""`revcore.Table`, what `revcore.kpi_report` returns, and `kpi_report` itself (docs/kpis.md).

A Table is a list of rows with named columns: the group keys, then the metrics' columns. It
converts to plain dicts, to a pandas or a polars DataFrame (either library is imported only
when asked for), and shows itself as HTML in a notebook.
"""

from __future__ import annotations

import datetime
import html
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Union

from revcore import _native

__all__ = ["Table", "kpi_report"]


class Table:
    """Rows with named columns. ``len(t)`` rows; ``t.columns`` the names in order; the last row
    of a grouped report is the totals row (its group keys are None)."""

    __slots__ = ("_columns", "_rows")

    def __init__(self, columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> None:
        self._columns = list(columns)
        self._rows = [dict(r) for r in rows]

    @property
    def columns(self) -> List[str]:
        """The column names, in order."""
        return list(self._columns)

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[Dict[str, Any]]:
        return iter(self.to_dicts())

    def __getitem__(self, i: int) -> Dict[str, Any]:
        return dict(self._rows[i])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Table):
            return NotImplemented
        return self._columns == other._columns and self._rows == other._rows

    __hash__ = None  # type: ignore[assignment]

    def to_dicts(self) -> List[Dict[str, Any]]:
        """The rows as new dicts (changing them does not change the table)."""
        return [dict(r) for r in self._rows]

    def to_pandas(self) -> Any:
        """A pandas DataFrame with the table's columns in order (null values are None/NaN as
        pandas makes them). Needs pandas."""
        import pandas as pd  # type: ignore[import-untyped,unused-ignore]

        return pd.DataFrame(self._rows, columns=self._columns)

    def to_polars(self) -> Any:
        """A polars DataFrame with the table's columns in order. Needs polars."""
        import polars as pl

        return pl.DataFrame(
            {c: [r.get(c) for r in self._rows] for c in self._columns}, strict=False
        )

    def __repr__(self) -> str:
        return f"Table({len(self._rows)} rows, columns={self._columns!r})"

    def _repr_html_(self) -> str:
        def cell(v: Any) -> str:
            if v is None:
                return '<td class="null">null</td>'
            if isinstance(v, float):
                return f'<td style="text-align:right">{v:,.4g}</td>' if abs(v) < 1 else f'<td style="text-align:right">{v:,.2f}</td>'
            if isinstance(v, int) and not isinstance(v, bool):
                return f'<td style="text-align:right">{v:,}</td>'
            return f"<td>{html.escape(str(v))}</td>"

        head = "".join(f"<th>{html.escape(c)}</th>" for c in self._columns)
        body = "".join(
            "<tr>" + "".join(cell(r.get(c)) for c in self._columns) + "</tr>" for r in self._rows
        )
        return f'<table class="revcore-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def kpi_report(
    opportunities: Iterable[Mapping[str, Any]],
    metrics: Sequence[str],
    group_by: Sequence[str] = (),
    calendar: Optional[Mapping[str, Any]] = None,
    as_of: Union[datetime.datetime, str, None] = None,
    *,
    pipeline: Optional[Mapping[str, Any]] = None,
    quotas: Optional[Iterable[Mapping[str, Any]]] = None,
    leads: Optional[Iterable[Mapping[str, Any]]] = None,
    sla_minutes: Optional[int] = None,
) -> Table:
    """Computes metrics over opportunities (docs/kpis.md): a Table with one row, or one row per
    group then a totals row. Raises `ParseError`, `ConfigError` or `ValidationError` listing
    every problem with its path. `leads` feed the lead metrics (`lead_conversion`,
    `response_time`, `sla_compliance` with its `sla_minutes`, default 60)."""
    result = _native.kpi_report(
        opportunities,
        metrics,
        group_by,
        calendar,
        as_of,
        pipeline=pipeline,
        quotas=quotas,
        leads=leads,
        sla_minutes=sla_minutes,
    )
    return Table(result["columns"], result["rows"])
