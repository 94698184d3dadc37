#!/usr/bin/env python3
"""Mutation sweep: damages real binlogs (fixtures and corpus files) in seeded ways and runs every
reading command of `sluice` on each mutant under time and memory limits.

    SLUICE=.build/debug/sluice python3 Tests/mutation/sweep.py [--seed 16] [--mutants 12]
        [--files F ... | --sample N [--max-size BYTES]] [--time-limit 20] [--memory-kib 2000000]
        [--budget SECONDS] [--keep DIR]

`--sample N` picks N files (seeded) from every fixture binlog and every corpus file that
mariadb-binlog reads (MANIFEST.tsv) up to `--max-size` bytes, always with one MariaDB fixture
(CRC32) among them. `--budget` stops starting new mutants once that many seconds have passed
(CI runs a bounded subset: scripts/test.sh); the full sweep is `--sample 0` (every such file).

Asserted for every mutant and command (issue 16):
  - no death by a signal, no time-out (a hang), no allocation failure under the memory limit;
  - exit 0 only with the untouched file's output, or a prefix of it when the file was cut (and
    then a notice naming the file and the offset), or a CRC32-less byte change;
  - any other exit: an error line naming the file and an offset;
  - in a file whose events carry CRC32s, a changed byte never exits 0.
The damaged files live in a temporary directory; nothing of the corpus is copied anywhere else.
Exit status: 0 when every run passed, 1 otherwise (each failure printed with its seed to replay).
"""

import argparse
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.normpath(os.path.join(ROOT, "..", "shared", "corpus"))

# A few of each kind: MariaDB fixtures (CRC32, GTIDs, many types), MySQL 8 with compressed
# transactions, MySQL 5.7 rows, a pre-checksum 5.1 file, a checksum=NONE file.
DEFAULT_FILES = [
    "Fixtures/mariadb-10.11/binlog.000002",
    "corpus:blackbeam__rust_mysql_common/transaction_compression.000001",
    "corpus:rust-us__mysql-cdc-rs/5.7_31_update_rows_v2_log.bin",
    "corpus:alibaba__canal/mysql-bin.000002",
    "corpus:zalora__binlog-parser/mysql-bin.07",
]

COMMANDS = [
    ("events", ["events"]),
    ("export-ndjson", ["export", "--format", "ndjson"]),
    ("export-sql", ["export", "--format", "sql"]),
    ("query", ["query", "--format", "ndjson"]),
    ("stats", ["stats"]),
]


def pool(max_size):
    """Every fixture binlog and every corpus file mariadb-binlog reads, up to max_size bytes."""
    out = []
    fixtures = os.path.join(ROOT, "Fixtures")
    for d in sorted(os.listdir(fixtures)):
        full = os.path.join(fixtures, d)
        if os.path.isdir(full):
            for f in sorted(os.listdir(full)):
                if f.startswith("binlog.0") and os.path.getsize(os.path.join(full, f)) <= max_size:
                    out.append(f"Fixtures/{d}/{f}")
    manifest = os.path.join(CORPUS, "MANIFEST.tsv")
    if os.path.exists(manifest):
        lines = open(manifest, encoding="utf-8").read().splitlines()
        cols = lines[0].split("\t")
        for line in lines[1:]:
            row = dict(zip(cols, line.split("\t")))
            if row.get("mariadb_binlog_reads") == "yes" and int(row.get("size") or 0) <= max_size:
                if os.path.exists(os.path.join(CORPUS, row["path"])):
                    out.append("corpus:" + row["path"])
    return out


def sample(seed, n, max_size):
    """n files of the pool, seeded; the first is always a MariaDB fixture (CRC32, GTIDs)."""
    files = pool(max_size)
    if n <= 0 or n >= len(files):
        return files
    rng = random.Random(f"sample:{seed}")
    fixtures = [f for f in files if f.startswith("Fixtures/")]
    first = rng.choice(fixtures) if fixtures else None
    rest = rng.sample([f for f in files if f != first], n - 1 if first else n)
    return ([first] if first else []) + rest


def resolve(spec):
    if spec.startswith("corpus:"):
        return os.path.join(CORPUS, spec[len("corpus:"):])
    return spec if os.path.isabs(spec) else os.path.join(ROOT, spec)


def events_of(data):
    """(offset, size) of each event, walking the v4 headers from offset 4."""
    out = []
    at = 4
    while at + 19 <= len(data):
        size = struct.unpack_from("<I", data, at + 9)[0]
        if size < 19 or at + size > len(data):
            break
        out.append((at, size))
        at += size
    return out


def has_crc32(data, events):
    """True when the Format_description says CRC32 (algorithm byte before the last 4 bytes)."""
    if not events or data[events[0][0] + 4] != 15:
        return False
    at, size = events[0]
    version = data[at + 21:at + 71].split(b"\0")[0].decode("latin-1")
    digits = []
    for part in version.split("-")[0].split("."):
        num = "".join(ch for ch in part if ch.isdigit())
        digits.append(int(num) if num else 0)
    while len(digits) < 3:
        digits.append(0)
    major = tuple(digits[:3])
    capable = major >= (5, 3, 0) if "MariaDB" in version else major >= (5, 6, 1)
    return capable and data[at + size - 5] == 1


def mutate(data, events, rng):
    """One damaged copy: (kind, bytes, whether a checksummed byte changed, cut offset or None)."""
    kind = rng.choice(["flip", "flip", "set", "cut", "cut-boundary", "dup-event", "drop-event", "zero-block", "splice"])
    b = bytearray(data)
    body = range(4, len(data))
    if kind == "flip":
        i = rng.choice(body)
        b[i] ^= 1 << rng.randrange(8)
        return f"flip@{i}", bytes(b), True, None
    if kind == "set":
        i = rng.choice(body)
        v = rng.randrange(256)
        changed = v != b[i]
        b[i] = v
        return f"set@{i}={v}", bytes(b), changed, None
    if kind == "cut":
        n = rng.randrange(5, len(data))
        return f"cut@{n}", bytes(b[:n]), False, n
    if kind == "cut-boundary" and len(events) > 2:
        at, _ = rng.choice(events[1:])
        return f"cut-boundary@{at}", bytes(b[:at]), False, at
    if kind == "dup-event" and len(events) > 2:
        at, size = rng.choice(events[1:])
        return f"dup-event@{at}", bytes(b[:at + size] + b[at:at + size] + b[at + size:]), None, None
    if kind == "drop-event" and len(events) > 2:
        at, size = rng.choice(events[1:])
        return f"drop-event@{at}", bytes(b[:at] + b[at + size:]), None, None
    if kind == "zero-block":
        i = rng.randrange(4, len(data))
        n = min(len(data) - i, rng.choice([16, 64, 512, 4096]))
        changed = any(b[i:i + n])
        b[i:i + n] = bytes(n)
        return f"zero@{i}+{n}", bytes(b), changed, None
    # splice: a chunk of the file copied over another place
    i = rng.randrange(4, len(data))
    j = rng.randrange(4, len(data))
    n = min(len(data) - max(i, j), rng.choice([8, 40, 300]))
    changed = b[i:i + n] != b[j:j + n]
    b[i:i + n] = b[j:j + n]
    return f"splice@{j}->{i}+{n}", bytes(b), changed, None


def run(sluice, args, path, time_limit, memory_kib, cwd):
    cmd = ["bash", "-c", f'ulimit -v {memory_kib}; exec timeout -s KILL {time_limit} "$0" "$@"', sluice] + args + [path]
    started = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, cwd=cwd)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace"), time.monotonic() - started


def check(name, args, path, rc, out, err, elapsed, ref, crc_changed, cut, time_limit):
    """The failures of one run (empty when it passed)."""
    failures = []
    if rc in (126, 127):
        return [f"could not run sluice: {err.strip()[-300:]}"]
    if rc == 137 or elapsed >= time_limit:
        return [f"timed out after {elapsed:.1f} s (a hang)"]
    if rc < 0 or rc >= 128:
        return [f"died of signal {rc - 128 if rc >= 128 else -rc}: {err.strip()[-300:]}"]
    if "Fatal error" in err or "failed to allocate" in err:
        return [f"crashed: {err.strip()[-300:]}"]
    if rc == 0:
        if crc_changed:
            failures.append("exit 0 though a CRC32-checked byte changed")
        elif cut is not None:
            if name in ("events", "query", "export-ndjson", "export-sql") and not ref.startswith(out.rsplit(b"\n", 1)[0]):
                failures.append("exit 0 with output that is not a prefix of the untouched file's")
        elif crc_changed is None and out != ref:
            pass  # an event duplicated or dropped whole: a different, valid stream
    else:
        line = err.strip().splitlines()[-1] if err.strip() else ""
        if path not in err or "offset" not in err:
            failures.append(f"exit {rc} without an error naming the file and an offset: {line[:300]!r}")
    return failures


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("--mutants", type=int, default=12)
    ap.add_argument("--files", nargs="*", default=None)
    ap.add_argument("--sample", type=int, help="pick this many files from the fixtures and corpus (0: all)")
    ap.add_argument("--max-size", type=int, default=400_000, help="largest file --sample picks")
    ap.add_argument("--budget", type=float, help="stop starting new mutants after this many seconds")
    ap.add_argument("--time-limit", type=int, default=20)
    ap.add_argument("--memory-kib", type=int, default=2_000_000)
    ap.add_argument("--keep", help="copy failing mutants here")
    a = ap.parse_args()
    if a.files is None:
        a.files = sample(a.seed, a.sample, a.max_size) if a.sample is not None else DEFAULT_FILES
    sluice = os.path.abspath(os.environ.get("SLUICE", os.path.join(ROOT, ".build", "debug", "sluice")))
    work = tempfile.mkdtemp(prefix="sluice-sweep-")
    runs = 0
    failed = 0
    mutants_run = 0
    stopped = None
    started = time.monotonic()
    try:
        for spec in a.files:
            src = resolve(spec)
            if not os.path.exists(src):
                print(f"skip {spec}: not present")
                continue
            data = open(src, "rb").read()
            events = events_of(data)
            crc = has_crc32(data, events)
            name = os.path.basename(src)
            refs = {}
            clean = os.path.join(work, "clean")
            os.makedirs(clean, exist_ok=True)
            shutil.copyfile(src, os.path.join(clean, name))
            for cname, args in COMMANDS:
                rc, out, err, _ = run(sluice, args, os.path.join(clean, name), a.time_limit, a.memory_kib, work)
                refs[cname] = out
            rng = random.Random(f"{a.seed}:{spec}")
            for m in range(a.mutants):
                if a.budget is not None and time.monotonic() - started > a.budget:
                    stopped = f"budget of {a.budget:.0f} s reached"
                    break
                mutants_run += 1
                kind, mutant, changed, cut = mutate(data, events, rng)
                crc_changed = (changed and crc) if changed is not None else None
                d = os.path.join(work, f"m{m}")
                os.makedirs(d, exist_ok=True)
                path = os.path.join(d, name)
                with open(path, "wb") as f:
                    f.write(mutant)
                for cname, args in COMMANDS:
                    rc, out, err, elapsed = run(sluice, args, path, a.time_limit, a.memory_kib, work)
                    runs += 1
                    problems = check(cname, args, path, rc, out, err, elapsed, refs[cname], crc_changed, cut, a.time_limit)
                    for p in problems:
                        failed += 1
                        print(f"FAIL {spec} mutant {m} ({kind}, seed {a.seed}) {cname}: {p}")
                        if a.keep:
                            os.makedirs(a.keep, exist_ok=True)
                            shutil.copyfile(path, os.path.join(a.keep, f"{name}.{kind}"))
                shutil.rmtree(d)
                for leftover in os.listdir(work):
                    if leftover.startswith("."):
                        failed += 1
                        print(f"FAIL {spec} mutant {m}: left {leftover} behind")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"mutation sweep: {runs} runs over {len(a.files)} files x {a.mutants} mutants x {len(COMMANDS)} commands "
          f"({mutants_run} mutants run{', ' + stopped if stopped else ''}), "
          f"{failed} failures, {time.monotonic() - started:.1f} s (seed {a.seed})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
