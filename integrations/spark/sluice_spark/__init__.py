"""Sluice on Apache Spark: convert and search a fleet's binlog archive (see README.md)."""
