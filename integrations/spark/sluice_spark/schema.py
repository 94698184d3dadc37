"""The Spark schema of `sluice export --format ndjson` lines (README.md, "sluice export") and of the
Parquet dataset `convert` writes.

`before` and `after` are StringType: Spark's JSON reader keeps a nested object it is asked to read
as a string as the object's JSON text, so every column value reaches Parquet as sluice wrote it
(exact integers, DECIMAL strings, base64 objects), one JSON string per image.
"""
from pyspark.sql.types import (ArrayType, BooleanType, LongType, StringType, StructField, StructType)

# One NDJSON line of sluice (row change or statement), in the order README.md lists the fields.
LINE = StructType([
    StructField("file", StringType()),
    StructField("pos", LongType()),
    StructField("end", LongType()),
    StructField("ts", LongType()),
    StructField("time", StringType()),
    StructField("server_id", LongType()),
    StructField("gtid", StringType()),
    StructField("xid", LongType()),
    StructField("thread_id", LongType()),
    StructField("db", StringType()),
    StructField("table", StringType()),
    StructField("type", StringType()),
    StructField("pk", ArrayType(StringType())),
    StructField("before", StringType()),
    StructField("after", StringType()),
    StructField("changed", ArrayType(StringType())),
    StructField("positional", BooleanType()),
    StructField("sql", StringType()),
])

# What a task yields: the source, the line's sequence number in the task's output, the line.
WRAPPED = StructType([
    StructField("s", StringType()),
    StructField("q", LongType()),
    StructField("r", LINE),
])

# Partition columns of the dataset, outermost first.
PARTITIONS = ["source", "db", "table", "date"]
