"""CSV import through the uniffi layer (docs/import.md; the vectors check every case): JSON in,
JSON out, errors thrown as RevcoreError with line and column paths."""

import json

import pytest
import revcore_swift as rc

DEALS = (
    "Opportunity ID,Stage,Created Date,Amount\n"
    'A,Closed Won,1/5/2026 2:30 PM,"$1,000"\n'
    "B,Parked,1/5/2026,\n"
)


@pytest.fixture
def deals(tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text(DEALS, encoding="utf-8")
    return str(path)


def test_records_and_errors_as_json(deals):
    result = json.loads(rc.read_opportunities_csv(deals, '"salesforce"'))
    assert [r["id"] for r in result["records"]] == ["A"]
    assert result["records"][0]["created_at"] == "2026-01-05T14:30:00Z"
    (error,) = result["errors"]
    assert (error["line"], error["column"], error["code"]) == (3, "Stage", "unknown_stage")


def test_strict_mode_and_bad_arguments_throw(deals):
    with pytest.raises(rc.RevcoreError.Validation) as e:
        rc.read_opportunities_csv(deals, '"salesforce"', '{"strict": true}')
    assert e.value.errors[0].path == 'lines[3]["Stage"]'
    with pytest.raises(rc.RevcoreError.Parse) as e:
        rc.read_leads_csv(deals, "{not json")
    assert e.value.errors[0].path == "mapping"
    with pytest.raises(rc.RevcoreError.NotFound):
        rc.read_accounts_csv(deals + ".missing", '"hubspot"')
