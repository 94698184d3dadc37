#!/usr/bin/env python3
"""The Spark side of test_cluster.py: every step in one Spark application (one driver, one set of
executors: JVM start-up is most of a small job's time on a 2-core machine).

  cluster.sh submit DIR cluster_steps.py RESULT.json STEPS.json

STEPS.json is a list of {"name": N, "job": [sluice-spark arguments]} (run through
sluice_spark.job.run, as submit.py runs them) and {"name": N, "sql_counts": DATASET} (rows per
(source, db, table) by Spark SQL over the Parquet dataset). RESULT.json maps each name to
{"exit", "result", "seconds"}.
"""
import json
import os
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pyspark.sql import SparkSession  # noqa: E402

from sluice_spark import job  # noqa: E402


def sql_counts(spark, dataset):
    # Partition values are names, not numbers: a table called 2024 stays the string "2024".
    spark.conf.set("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
    spark.read.parquet(dataset).createOrReplaceTempView("binlog")
    rows = spark.sql("SELECT source, db, `table`, count(*) AS n FROM binlog "
                     "GROUP BY source, db, `table` ORDER BY source, db, `table`").collect()
    return [{"source": r["source"], "db": r["db"], "table": r["table"], "n": r["n"]} for r in rows]


def main():
    result_path, steps_path = sys.argv[1], sys.argv[2]
    steps = json.load(open(steps_path))
    spark = SparkSession.builder.appName("sluice-spark test").config("spark.sql.session.timeZone", "UTC").getOrCreate()
    results = {}
    try:
        for step in steps:
            t0 = time.time()
            try:
                if "job" in step:
                    code, result = job.run(spark, step["job"])
                else:
                    code, result = 0, sql_counts(spark, step["sql_counts"])
            except Exception as e:  # recorded for the test to report; the other steps still run
                code, result = 1, {"exception": "".join(traceback.format_exception(e))[-4000:]}
            results[step["name"]] = {"exit": code, "result": result, "seconds": round(time.time() - t0, 2)}
            print("cluster-steps: %s exit %d in %.1f s" % (step["name"], code, time.time() - t0), file=sys.stderr,
                  flush=True)
    finally:
        with open(result_path, "w") as f:
            json.dump(results, f)
        spark.stop()


if __name__ == "__main__":
    main()
