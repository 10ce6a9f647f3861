"""The one mapping between the engine's polars schemas and what Spark accepts over Arrow.

Spark's Arrow bridge takes ``string`` but not polars' ``large_string``/``string_view``,
``list`` but not ``large_list``, no unsigned integers and no dictionary (categorical)
columns. Every frame crossing into Spark goes through ``to_spark_batches`` and every frame
coming back through ``from_spark``, so the engine's own schema (``HIT_SCHEMA``...) is
restored exactly: ``UInt32`` counts come back as ``UInt32``, ``Decimal(38, 4)`` money stays
decimal on both sides (never a float), timestamps stay microseconds in UTC.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

import polars as pl
import pyarrow as pa

from aml_screen.schema import conform

_WIDER_INTEGER = {pa.uint8(): pa.int16(), pa.uint16(): pa.int32(), pa.uint32(): pa.int64(),
                  pa.uint64(): pa.decimal128(20, 0)}


def spark_arrow_type(dtype: pa.DataType) -> pa.DataType:
    """``dtype`` as a type Spark's Arrow bridge accepts, holding the same values."""
    if pa.types.is_dictionary(dtype):
        return spark_arrow_type(dtype.value_type)
    if pa.types.is_large_string(dtype) or pa.types.is_string_view(dtype):
        return pa.string()
    if pa.types.is_large_binary(dtype) or pa.types.is_binary_view(dtype):
        return pa.binary()
    if (pa.types.is_large_list(dtype) or pa.types.is_list_view(dtype)
            or pa.types.is_large_list_view(dtype) or pa.types.is_list(dtype)):
        return pa.list_(spark_arrow_type(dtype.value_type))
    if pa.types.is_struct(dtype):
        return pa.struct([pa.field(f.name, spark_arrow_type(f.type)) for f in dtype])
    if pa.types.is_decimal(dtype):
        return pa.decimal128(dtype.precision, dtype.scale)
    return _WIDER_INTEGER.get(dtype, dtype)


def spark_arrow_schema(schema: Mapping[str, pl.DataType]) -> pa.Schema:
    """The Spark-compatible Arrow schema of a polars schema (``HIT_SCHEMA``...)."""
    arrow = pl.DataFrame(schema=dict(schema)).to_arrow().schema
    return pa.schema([pa.field(f.name, spark_arrow_type(f.type)) for f in arrow])


def spark_ddl(schema: Mapping[str, pl.DataType]) -> str:
    """The schema as the DDL string ``mapInArrow`` takes (``a STRING, b DECIMAL(38,4)``)."""
    return ", ".join(f"`{f.name}` {_ddl_type(f.type)}" for f in spark_arrow_schema(schema))


def _ddl_type(dtype: pa.DataType) -> str:
    simple = {pa.string(): "STRING", pa.binary(): "BINARY", pa.bool_(): "BOOLEAN",
              pa.int8(): "TINYINT", pa.int16(): "SMALLINT", pa.int32(): "INT",
              pa.int64(): "BIGINT", pa.float32(): "FLOAT", pa.float64(): "DOUBLE",
              pa.date32(): "DATE", pa.null(): "STRING"}
    if dtype in simple:
        return simple[dtype]
    if pa.types.is_timestamp(dtype):
        return "TIMESTAMP" if dtype.tz else "TIMESTAMP_NTZ"
    if pa.types.is_decimal(dtype):
        return f"DECIMAL({dtype.precision},{dtype.scale})"
    if pa.types.is_list(dtype):
        return f"ARRAY<{_ddl_type(dtype.value_type)}>"
    if pa.types.is_struct(dtype):
        return "STRUCT<" + ", ".join(f"`{f.name}`: {_ddl_type(f.type)}" for f in dtype) + ">"
    raise TypeError(f"no Spark type for Arrow type {dtype}")


def to_spark_batches(frame: pl.DataFrame,
                     schema: Mapping[str, pl.DataType]) -> Iterator[pa.RecordBatch]:
    """``frame`` conformed to ``schema`` (its columns, in order) as record batches of the
    Spark-compatible Arrow schema."""
    target = spark_arrow_schema(schema)
    table = conform(frame, dict(schema)).select(list(schema)).to_arrow()
    yield from table.cast(target).to_batches()


def from_spark(batches: Iterable[pa.RecordBatch] | pa.Table,
               schema: Mapping[str, pl.DataType] | None = None) -> pl.DataFrame | None:
    """Arrow data from Spark as one polars frame (None for no batches: an empty partition);
    with ``schema``, its columns are cast back to the engine's types (``Int64`` ->
    ``UInt32``...). Columns outside ``schema`` are kept."""
    if isinstance(batches, pa.Table):
        table = batches
    else:
        listed = list(batches)
        if not listed:
            return None
        table = pa.Table.from_batches(listed)
    frame = pl.from_arrow(table, rechunk=False)
    if not isinstance(frame, pl.DataFrame):  # a table always converts to a frame
        raise TypeError("expected a table")
    if schema is None:
        return frame
    return frame.with_columns(pl.col(name).cast(dtype) for name, dtype in schema.items()
                              if name in frame.columns)
