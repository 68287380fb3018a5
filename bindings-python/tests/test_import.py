"""CSV import from Python (docs/import.md): the Records collection, its errors, strict mode,
and the exceptions of a file that cannot be read."""

from __future__ import annotations

from pathlib import Path

import pytest

import revcore

HUBSPOT = (
    "Record ID,Deal Name,Deal Stage,Amount,Close Date,Create Date,Deal owner,Pipeline\n"
    '101,Acme,Closed Won,"$1,234.50",2026-02-01,2026-01-05 14:30,Ada,Sales\n'
    "102,Globex,Appointment Scheduled,,,1/6/2026,Ben,Sales\n"
    "103,Initech,Parked,5,2026-02-01,2026-01-05,Ada,Sales\n"
)


@pytest.fixture
def deals(tmp_path: Path) -> Path:
    path = tmp_path / "deals.csv"
    path.write_text(HUBSPOT, encoding="utf-8")
    return path


def test_records_stay_native_and_read_like_a_sequence(deals: Path) -> None:
    records = revcore.read_opportunities_csv(deals, "hubspot")
    assert isinstance(records, revcore.Records)
    assert len(records) == 2
    assert records.kind == "opportunities"
    assert records[0]["stage"] == "won"
    assert records[0]["amount"] == {"amount": 1234.5, "currency": "USD"}
    assert records[-1]["id"] == "102"
    assert [r["id"] for r in records] == ["101", "102"]
    assert records.to_dicts() == list(records)
    with pytest.raises(IndexError):
        records[2]
    assert "2 opportunities records, 1 errors" in repr(records)


def test_bad_rows_are_reported_with_line_and_column(deals: Path) -> None:
    records = revcore.read_opportunities_csv(str(deals), mapping="hubspot")
    (error,) = records.errors
    assert error["line"] == 4
    assert error["column"] == "Deal Stage"
    assert error["field"] == "stage"
    assert error["code"] == "unknown_stage"
    assert "Parked" in error["message"]


def test_strict_mode_raises_on_the_first_bad_row(deals: Path) -> None:
    with pytest.raises(revcore.ValidationError) as e:
        revcore.read_opportunities_csv(deals, "hubspot", strict=True)
    assert isinstance(e.value, ValueError)
    assert e.value.errors[0]["path"] == 'lines[4]["Deal Stage"]'


def test_missing_column_names_it_before_any_row(tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_text("Record ID,Email\n1,a@b.co\n", encoding="utf-8")
    with pytest.raises(revcore.ParseError) as e:
        revcore.read_leads_csv(path, "hubspot")
    assert e.value.errors[0]["path"] == "mapping.created_at"
    assert "Create Date" in e.value.errors[0]["message"]


def test_options_and_explicit_mapping(tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_text("Id,Name,Revenue,Since\nA,Acme,\"1,000\",5/1/2026\n", encoding="utf-8")
    records = revcore.read_accounts_csv(
        path,
        {"id": "Id", "name": "Name", "annual_revenue": "Revenue", "created_at": "Since"},
        date_order="dmy",
        currency="EUR",
    )
    assert records[0]["annual_revenue"] == {"amount": 1000, "currency": "EUR"}
    assert records[0]["created_at"] == "2026-01-05T00:00:00Z"
    with pytest.raises(revcore.ParseError) as e:
        revcore.read_accounts_csv(path, {"id": "Id", "name": "Name"}, date_order="ymd")
    assert e.value.errors[0]["path"] == "options.date_order"
    with pytest.raises(revcore.ConfigError):
        revcore.read_accounts_csv(path, "pipedrive")


def test_a_missing_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(revcore.NotFoundError) as e:
        revcore.read_leads_csv(tmp_path / "nope.csv", "salesforce")
    assert e.value.errors[0]["code"] == "file_not_found"


def test_to_pandas_flattens_nested_values(deals: Path) -> None:
    pandas = pytest.importorskip("pandas")
    frame = revcore.read_opportunities_csv(deals, "hubspot").to_pandas()
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame["id"]) == ["101", "102"]
    assert frame["amount.amount"].iloc[0] == 1234.5
    assert frame["attributes.Pipeline"].tolist() == ["Sales", "Sales"]
