#!/usr/bin/env python3
"""The file spark-submit runs: `spark-submit [spark options] integrations/spark/submit.py convert|query ...`.
It puts the sluice_spark package beside it on the path; the job ships the package to the executors."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sluice_spark.job import main  # noqa: E402

sys.exit(main())
