"""What runs inside a Spark task: the `sluice` binary over one file or one range of a file.

Every function here is called on an executor with plain values (dicts, lists, strings), so the
driver ships nothing but this module (SparkContext.addPyFile) and the binary.
"""
import json
import os
import re
import shutil
import stat
import subprocess
import tempfile
import time

from pyspark.accumulators import AccumulatorParam

ERROR_OFFSET = re.compile(r"at offset (\d+)")


class ListParam(AccumulatorParam):
    """An accumulator of task reports (dicts): the manifest's per-range status."""

    def zero(self, value):
        return []

    def addInPlace(self, value1, value2):
        value1.extend(value2)
        return value1


class DamagedInput(Exception):
    """A file sluice could not read to its end (raised only under --strict)."""


def find_sluice(spec):
    """The sluice binary on this worker: an absolute path that exists, a file shipped with
    --files/--archives (SparkFiles), or a name on PATH."""
    if os.path.isabs(spec) and os.access(spec, os.X_OK):
        return spec
    try:
        from pyspark import SparkFiles
        for candidate in (os.path.join(SparkFiles.getRootDirectory(), os.path.basename(spec)),
                          os.path.join(SparkFiles.getRootDirectory(), spec)):
            if os.path.isfile(candidate):
                if not os.access(candidate, os.X_OK):
                    os.chmod(candidate, os.stat(candidate).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
                return candidate
    except Exception:  # not inside a Spark task, or no files shipped
        pass
    found = shutil.which(spec) or shutil.which(os.path.basename(spec))
    if found:
        return found
    raise FileNotFoundError("sluice binary %r not found on this worker (ship it with --files, or put it "
                            "on PATH)" % spec)


def _error(stderr_text):
    """(offset or None, message) from sluice's one-line error
    `sluice: FILE: at offset N (+K) (EVENT_TYPE): what was wrong`."""
    lines = [l for l in stderr_text.splitlines() if l.startswith("sluice:")]
    line = lines[-1] if lines else (stderr_text.strip().splitlines() or [""])[-1]
    m = ERROR_OFFSET.search(line)
    return (int(m.group(1)) if m else None), line.strip()


def _run(cmd):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return r.returncode, r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")


# ---------------------------------------------------------------------------------------------
# Planning: index and summarize one file.

def plan_file(f, opts):
    """Index one file (into opts['index_dir'] when given) and summarize it with `sluice info`.
    Returns the file dict with 'info' (sluice info's JSON object), 'indexed' and, on failure,
    'error_offset'/'error_message'."""
    t0 = time.time()
    sluice = find_sluice(opts["sluice"])
    out = dict(f)
    cmd = [sluice, "index"]
    if opts.get("index_dir"):
        index_dir = os.path.join(opts["index_dir"], f["source"])
        os.makedirs(index_dir, exist_ok=True)
        cmd += ["--index-dir", index_dir]
    code, _, err = _run(cmd + [f["path"]])
    out["indexed"] = code == 0
    if code != 0:
        out["index_exit"] = code
        out["error_offset"], out["error_message"] = _error(err)
    code, text, err = _run([sluice, "info", "--format", "json", f["path"]])
    out["info_exit"] = code
    try:
        doc = json.loads(text) if text.strip() else None
    except ValueError:
        doc = None
    if isinstance(doc, dict) and "files" in doc:
        doc = doc["files"][0] if doc["files"] else None
    elif isinstance(doc, list):
        doc = doc[0] if doc else None
    out["info"] = doc
    if code != 0 and out.get("error_message") is None:
        out["error_offset"], out["error_message"] = _error(err)
    if opts.get("strict") and out.get("error_message"):
        raise DamagedInput("%s: %s" % (f["path"], out["error_message"]))
    out["plan_seconds"] = time.time() - t0
    return out


# ---------------------------------------------------------------------------------------------
# Converting and querying one range.

def range_command(sluice, task, opts, extra):
    """The sluice command line for one task: `query` over the source's files from the range's start
    to its stop (whole transactions: those starting inside [start, stop)), so DDL of the earlier
    files names the columns as in one pass; or `export` of the file alone (the fallback for a file
    that could not be indexed: a damaged file, a zstd file without a seek table)."""
    if task["mode"] == "export":
        cmd = [sluice, "export", "--format", task.get("format", "ndjson"), "--threads", str(opts["threads"])]
        if opts.get("timezone"):
            cmd += ["--timezone", opts["timezone"]]
        if opts.get("schema"):
            cmd += ["--schema", opts["schema"]]
        return cmd + extra + [task["path"]]
    cmd = [sluice, "query", "--format", task.get("format", "ndjson"), "--threads", str(opts["threads"]),
           "--start-position", "%s:%d" % (task["name"], task["start"]),
           "--stop-position", "%s:%d" % (task["name"], task["stop"])]
    if opts.get("index_dir"):
        # query reads every file's index from one directory: the source's.
        cmd += ["--index-dir", os.path.join(opts["index_dir"], task["source"])]
    if opts.get("timezone"):
        cmd += ["--timezone", opts["timezone"]]
    if opts.get("schema"):
        cmd += ["--schema", opts["schema"]]
    return cmd + extra + task["group"]


def _report(task, code, lines, err, cmd, t0):
    offset, message = _error(err) if code != 0 else (None, None)
    return {"seconds": time.time() - t0, "source": task["source"], "path": task["path"], "name": task["name"], "ordinal": task["ordinal"],
            "range": task["range"], "start": task["start"], "stop": task["stop"], "mode": task["mode"],
            "rows": lines, "exit": code, "error_offset": offset, "error_message": message,
            "command": " ".join(cmd[1:2])}


def stream_range(task, opts, extra, reports):
    """Yields the task's NDJSON lines wrapped as {"s": source, "q": seq, "r": line} (the JVM parses
    them into typed rows), then adds the task's report to the `reports` accumulator. Exit code 2
    (damaged input) keeps the rows written before the damage and reports the offset and message;
    any other failure, or any failure under --strict, fails the task."""
    t0 = time.time()
    sluice = find_sluice(opts["sluice"])
    cmd = range_command(sluice, task, opts, extra)
    prefix = '{"s":' + json.dumps(task["source"]) + ',"q":'
    with tempfile.TemporaryFile() as errf:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=errf)
        n = 0
        for raw in proc.stdout:
            line = raw.decode("utf-8").rstrip("\n")
            if not line:
                continue
            yield prefix + str(n) + ',"r":' + line + "}"
            n += 1
        code = proc.wait()
        errf.seek(0)
        err = errf.read().decode("utf-8", "replace")
    report = _report(task, code, n, err, cmd, t0)
    if code != 0 and (opts.get("strict") or code != 2):
        raise DamagedInput("%s [%d, %d): exit %d: %s" % (task["path"], task["start"], task["stop"], code,
                                                          report["error_message"] or err.strip()))
    reports.add([report])


def collect_range(task, opts, extra):
    """(source, ordinal, start, lines, report) for `query`: the matching NDJSON lines of one range,
    in order. A file that could not be indexed is not searched: its report carries the error."""
    t0 = time.time()
    if task["mode"] == "export":
        report = _report(task, 2, 0, task.get("error") or "", [], t0)
        if opts.get("strict"):
            raise DamagedInput("%s: %s" % (task["path"], report["error_message"]))
        return (task["source"], task["ordinal"], task["start"], [], report)
    sluice = find_sluice(opts["sluice"])
    cmd = range_command(sluice, task, opts, extra)
    code, text, err = _run(cmd)
    lines = [l for l in text.split("\n") if l]
    report = _report(task, code, len(lines), err, cmd, t0)
    if code != 0 and (opts.get("strict") or code != 2):
        raise DamagedInput("%s: exit %d: %s" % (task["path"], code, report["error_message"] or err.strip()))
    return (task["source"], task["ordinal"], task["start"], lines, report)


def write_range(task, opts, extra):
    """`--format ndjson.zst`: one range's NDJSON, zstd-compressed, to task['output'] (concatenated
    per file by the driver: zstd frames concatenate); `--format canal`: the whole file's Canal Entry
    dump (`sluice export --format canal`). Returns the report."""
    t0 = time.time()
    sluice = find_sluice(opts["sluice"])
    cmd = range_command(sluice, task, opts, extra) + ["-o", task["output"]]
    os.makedirs(os.path.dirname(task["output"]), exist_ok=True)
    code, _, err = _run(cmd)
    report = _report(task, code, None, err, cmd, t0)
    report["output"] = task["output"]
    if code != 0 and (opts.get("strict") or code != 2):
        raise DamagedInput("%s: exit %d: %s" % (task["path"], code, report["error_message"] or err.strip()))
    return report
