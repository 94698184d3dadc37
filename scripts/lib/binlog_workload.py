"""What the benchmark workload generators (scripts/make-big-binlog.sh, make-wide-binlog.sh) share.

Imported by their generator (run as `gen.py SIZE_MB SANDBOX COUNTERS BASE CLIENT...`): starts
the `mariadb` client given on the command line, writes SQL to it, waits for the server to catch
up (`sync`), paces the event clock by the binlog's size, and `finish` ends the file with a
Rotate and writes the workload counters. GEN_NAME names the script in error messages.
"""
import glob
import os
import subprocess
import sys

NAME = os.environ.get("GEN_NAME", "binlog workload")
target = int(sys.argv[1]) * 1048576
sbdir = sys.argv[2]
counters_path = sys.argv[3]
BASE = int(sys.argv[4])    # first event time (epoch seconds, UTC)
SPAN = 6 * 3600.0          # six hours
client = subprocess.Popen(sys.argv[5:], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          encoding="utf-8", bufsize=1 << 20)
out = client.stdin
counts = {"transactions": 0, "small_transactions": 0, "bulk_transactions": 0,
          "stmt_rows_insert": 0, "stmt_rows_update": 0, "stmt_rows_delete": 0}
_last_ts = float(BASE)


def binlog_bytes():
    return sum(os.path.getsize(p) for p in glob.glob(os.path.join(sbdir, "binlog.[0-9]*")))


def w(s):
    out.write(s)


def sync():
    """Wait until the server has executed everything sent so far (so the binlog size is current)."""
    w("SELECT 'sync'$$\n")
    out.flush()
    while True:
        line = client.stdout.readline()
        if not line:
            sys.exit(NAME + ": the mariadb client stopped (see its error above)")
        if line.strip() == "sync":
            return


def clock(progress):
    """Event time for the given fraction of the file, strictly increasing."""
    global _last_ts
    t = BASE + SPAN * min(max(progress, 0.0), 1.0)
    if t <= _last_ts:
        t = _last_ts + 0.000731
    _last_ts = t
    return "SET timestamp=%.6f;" % t


def run(small_trx, per_round, sync_every, bulk, periodic, periodic_every, stop_margin, counted=lambda step: True):
    """The main loop: `per_round` small transactions per round trip (`small_trx(progress)`), one
    `periodic(progress)` every `periodic_every` of them, the `bulk` steps ((fraction, make) pairs)
    when the file reaches their fraction of the target (`counted(make)`: a transaction to count),
    a sync every `sync_every` rounds; until the binlog is `stop_margin` bytes short of the target.
    The clock follows the bytes written."""
    sync()
    bulk_i = 0
    since_periodic = 0
    rounds = 0
    while True:
        rounds += 1
        if rounds % sync_every == 0:
            sync()
        size = binlog_bytes()
        if size >= target - stop_margin:
            break
        progress = size / target
        if bulk_i < len(bulk) and progress >= bulk[bulk_i][0]:
            if counted(bulk[bulk_i][1]):
                counts["transactions"] += 1
                counts["bulk_transactions"] += 1
            sync()
            w(bulk[bulk_i][1](binlog_bytes() / target) + "$$\n")
            bulk_i += 1
            sync()
            continue
        chunk = [small_trx(progress + i * 1e-7) for i in range(per_round)]
        since_periodic += per_round
        if since_periodic >= periodic_every:
            since_periodic = 0
            chunk.append(periodic(progress))
        w("".join(chunk) + "$$\n")
        out.flush()


def finish():
    """End the file with a Rotate stamped with the last workload time; write the counters."""
    sync()
    w("SET timestamp=%d; FLUSH BINARY LOGS$$\n" % (int(_last_ts) + 1))
    sync()
    out.close()
    if client.wait() != 0:
        sys.exit(NAME + ": the mariadb client failed")
    with open(counters_path, "w") as f:
        for k, v in counts.items():
            f.write("%s=%d\n" % (k, v))
        f.write("time_first=%d\ntime_last=%d\n" % (BASE, int(_last_ts) + 1))
