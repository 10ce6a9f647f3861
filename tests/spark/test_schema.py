"""The one schema mapper: what Spark's Arrow bridge refuses is mapped to what it takes, and
frames come back with the engine's types (money stays Decimal, counts UInt32)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import polars as pl
import pyarrow as pa
import pytest

from aml_screen.schema import ALERT_SCHEMA, HIT_SCHEMA, RULE_HIT_SCHEMA, TRANSACTION_SCHEMA
from aml_screen.spark.schema import (
    from_spark,
    spark_arrow_schema,
    spark_arrow_type,
    spark_ddl,
    to_spark_batches,
)


@pytest.mark.parametrize(("given", "expected"), [
    (pa.large_string(), pa.string()),
    (pa.string_view(), pa.string()),
    (pa.large_binary(), pa.binary()),
    (pa.uint32(), pa.int64()),
    (pa.uint64(), pa.decimal128(20, 0)),
    (pa.dictionary(pa.uint32(), pa.large_string()), pa.string()),
    (pa.large_list(pa.large_string()), pa.list_(pa.string())),
    (pa.decimal128(38, 4), pa.decimal128(38, 4)),
    (pa.timestamp("us", "UTC"), pa.timestamp("us", "UTC")),
    (pa.struct([("a", pa.large_string())]), pa.struct([("a", pa.string())])),
])
def test_types_spark_refuses_are_mapped(given: pa.DataType, expected: pa.DataType) -> None:
    assert spark_arrow_type(given) == expected


@pytest.mark.parametrize("schema", [TRANSACTION_SCHEMA, HIT_SCHEMA, RULE_HIT_SCHEMA,
                                    ALERT_SCHEMA])
def test_engine_schemas_map_without_unsupported_types(schema: dict[str, pl.DataType]) -> None:
    for field in spark_arrow_schema(schema):
        assert not pa.types.is_large_string(field.type)
        assert not pa.types.is_unsigned_integer(field.type)
        assert not pa.types.is_large_list(field.type)
    assert spark_ddl(schema).count("`") == 2 * len(schema)


def test_ddl_names_spark_types() -> None:
    ddl = spark_ddl(TRANSACTION_SCHEMA)
    assert "`amount` DECIMAL(38,4)" in ddl
    assert "`booked_at` TIMESTAMP" in ddl
    assert "`source_line` BIGINT" in ddl
    assert "`hit_count` BIGINT" in spark_ddl(ALERT_SCHEMA)
    assert "`transaction_ids` ARRAY<STRING>" in spark_ddl(ALERT_SCHEMA)


def test_round_trip_keeps_money_decimal_and_counts_unsigned() -> None:
    alerts = pl.DataFrame({
        "alert_id": ["a1"], "subject_id": ["ML-ACC-7"], "subject_name": ["عبد القادر"],
        "risk_score": [91.5], "rule_ids": [["GEN-STRUCT-01"]], "hit_count": [3],
    })
    batches = list(to_spark_batches(alerts, ALERT_SCHEMA))
    assert batches[0].schema == spark_arrow_schema(ALERT_SCHEMA)
    back = from_spark(batches, ALERT_SCHEMA)
    assert back is not None
    assert back.schema == pl.Schema(ALERT_SCHEMA)
    assert back.row(0, named=True)["subject_name"] == "عبد القادر"
    assert back.get_column("hit_count").to_list() == [3]

    rows = pl.DataFrame({"transaction_id": ["T1"], "amount": [Decimal("4950000.0001")],
                         "booked_at": [datetime(2025, 3, 4, 10, 30, tzinfo=UTC)]})
    arrow = pa.Table.from_batches(list(to_spark_batches(rows, TRANSACTION_SCHEMA)))
    assert arrow.schema.field("amount").type == pa.decimal128(38, 4)
    again = from_spark(arrow, TRANSACTION_SCHEMA)
    assert again is not None
    assert again.get_column("amount").to_list() == [Decimal("4950000.0001")]
    assert again.schema["booked_at"] == pl.Datetime("us", "UTC")


def test_an_empty_partition_gives_no_frame() -> None:
    assert from_spark(iter([]), HIT_SCHEMA) is None
