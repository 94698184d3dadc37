#!/usr/bin/env python3
"""`--follow` against a live MariaDB that writes while Sluice follows.

Starts a throwaway server (scripts/mariadb-sandbox.sh), then three followers on its binlogs:

  sluice export --format ndjson --follow SERVER_DIR                  (stdout)
  sluice query --format ndjson --table follow.t --follow SERVER_DIR  (stdout)
  sluice events --format ndjson --follow -o FILE CURRENT_BINLOG      (-o: committed at the stop)
  sluice serve --follow SERVER_DIR, with canal-python's client fetching batches as they come

and writes rows in small transactions with pauses, one big transaction (about 4 MB, committed
while the followers wait, so they see it arrive in pieces), DDL, and two FLUSH BINARY LOGS (the
followers go on into the new files). When the followers have caught up (their output has the
size of a full run over the same files), each gets SIGINT and must exit 0 (README: "--follow")
with exactly the output of the same command without --follow over the server's files; the
entries the Canal client received are those of `export --format canal` over the files.

  SLUICE=.build/debug/sluice python3 Tests/roundtrip/follow.py

The last line is `follow: N passed, M failed`; exit status non-zero on any failure. About 20 s.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

# canal-python's generated code needs the pure-Python protobuf backend (see server_client.py).
os.environ.setdefault("PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION", "python")

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))
import roundtrip as rt  # noqa: E402

SANDBOX = ROOT / "scripts" / "mariadb-sandbox.sh"


def log(msg):
    print("follow: " + msg, flush=True)


def full_run(sluice, args, files):
    r = subprocess.run([sluice] + args + [str(f) for f in files], capture_output=True, stdin=subprocess.DEVNULL,
                       timeout=120)
    if r.returncode != 0:
        raise RuntimeError("%s exited %d: %s" % (" ".join(args), r.returncode, r.stderr.decode()[-500:]))
    return r.stdout


def clear_in_use(listing):
    """A Format_description's flags have LOG_EVENT_BINLOG_IN_USE_F (1) while the server has the
    file open and 0 once it closed it: the follower saw the files open, a later run closed."""
    return listing.replace(b',"flags":1,"summary":"server ', b',"flags":0,"summary":"server ')


def peak_rss_mb(pid):
    try:
        for line in Path("/proc/%d/status" % pid).read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def canal_frames(data):
    """Entries of `export --format canal` output: varint-length-delimited serialized Entries."""
    out, i = [], 0
    while i < len(data):
        n = shift = 0
        while True:
            b = data[i]
            i += 1
            n |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                break
        out.append(data[i:i + n].hex())
        i += n
    return out


class CanalFollower(threading.Thread):
    """canal-python's client on `sluice serve --follow`: fetches and acks batches until told to
    stop (an empty batch while the server waits for more is normal)."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port = port
        self.entries = []
        self.error = None
        self.stop = threading.Event()
        self.subscribed = threading.Event()

    def run(self):
        import contextlib
        import io
        try:
            from canal.client import Client
            client = Client()
            # canal-python prints while it connects (redirect_stdout is process-wide: the main
            # thread waits meanwhile, see main()).
            with contextlib.redirect_stdout(io.StringIO()):
                client.connect(host="127.0.0.1", port=self.port)
                client.connector.sock.settimeout(20)
                client.check_valid(username=b"", password=b"")
                client.subscribe(client_id=b"1001", destination=b"example", filter=b".*\\..*")
            self.subscribed.set()
            while not self.stop.is_set():
                message = client.get(100)
                self.entries += [e.SerializeToString().hex() for e in message["entries"]]
                if not message["entries"]:
                    time.sleep(0.1)
            client.disconnect()
        except Exception as e:  # noqa: BLE001
            self.error = e


def small_transactions(cur, start, count, pause):
    for i in range(count):
        cur.execute("BEGIN")
        for k in range(3):
            n = start + i * 3 + k
            # (the shared connection has no parameter converters: values written out)
            cur.execute("INSERT INTO follow.t (v, n, doc) VALUES ('row %d', %d, '{\"k\": %d, \"tags\": [\"a\", \"b\"]}')"
                        % (n, n, n))
        cur.execute("UPDATE follow.t SET n = n + 1000 WHERE n = %d" % (start + i * 3))
        cur.execute("COMMIT")
        time.sleep(pause)


def main():
    sluice = os.environ.get("SLUICE") or str(ROOT / ".build" / "debug" / "sluice")
    if not os.access(sluice, os.X_OK):
        log("no sluice executable at %s (swift build)" % sluice)
        return 1
    work = Path(tempfile.mkdtemp(prefix="sluice-follow-", dir="/tmp"))
    server = work / "srv"
    passed = failed = 0
    procs = []
    started = False
    t0 = time.time()
    try:
        subprocess.run(["bash", str(SANDBOX), "start", str(server)], check=True, stdin=subprocess.DEVNULL, timeout=180)
        started = True
        sock = str(server / "sock")
        conn = rt.connect(sock)
        cur = conn.cursor()
        cur.execute("CREATE DATABASE follow")
        cur.execute("CREATE TABLE follow.t (id INT PRIMARY KEY AUTO_INCREMENT, v VARCHAR(300), n INT, doc JSON)")
        cur.execute("CREATE TABLE follow.other (id INT PRIMARY KEY, w TEXT)")
        first = rt.binlog_files(server / "binlog.index")
        current = first[-1]
        log("server up in %.1fs; binlogs %s; following from %s" % (
            time.time() - t0, " ".join(f.name for f in first), current.name))

        export_out = work / "export.ndjson"
        query_out = work / "query.ndjson"
        events_out = work / "events.ndjson"
        query_args = ["query", "--format", "ndjson", "--table", "follow.t"]
        with open(export_out, "wb") as eo, open(query_out, "wb") as qo:
            procs.append(("export", subprocess.Popen([sluice, "export", "--format", "ndjson", "--follow", str(server)],
                                                     stdout=eo, stdin=subprocess.DEVNULL)))
            procs.append(("query", subprocess.Popen([sluice] + query_args + ["--follow", str(server)],
                                                    stdout=qo, stdin=subprocess.DEVNULL)))
        procs.append(("events", subprocess.Popen(
            [sluice, "events", "--format", "ndjson", "--follow", "-o", str(events_out), str(current)],
            stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)))
        serve_log = work / "serve.log"
        with open(serve_log, "wb") as sl:
            serve = subprocess.Popen([sluice, "serve", "--follow", "--port", "0", str(server)],
                                     stdout=subprocess.DEVNULL, stderr=sl, stdin=subprocess.DEVNULL)
        procs.append(("serve", serve))
        m = None
        for _ in range(100):
            m = re.search(r"serving example on [^\s]*:(\d+)", serve_log.read_text())
            if m:
                break
            time.sleep(0.1)
        if not m:
            raise RuntimeError("serve did not say where it listens: %r" % serve_log.read_text()[-500:])
        canal = CanalFollower(int(m.group(1)))
        canal.start()
        canal.subscribed.wait(timeout=20)
        time.sleep(0.5)

        small_transactions(cur, 0, 5, 0.2)
        time.sleep(0.5)  # the followers are waiting at the end of the file
        # One big transaction: the server writes it at COMMIT, the followers see it grow.
        cur.execute("BEGIN")
        pad = "x" * 250
        for b in range(16):
            cur.execute("INSERT INTO follow.t (v, n, doc) VALUES " + ", ".join(
                "('%s', %d, '{\"b\": %d}')" % (pad, 100000 + b * 1000 + k, b) for k in range(1000)))
        cur.execute("UPDATE follow.t SET doc = JSON_SET(doc, '$.big', 1) WHERE n >= 100000")
        cur.execute("COMMIT")
        time.sleep(0.3)
        cur.execute("FLUSH BINARY LOGS")
        small_transactions(cur, 1000, 4, 0.15)
        cur.execute("ALTER TABLE follow.t ADD COLUMN extra INT DEFAULT 7")
        cur.execute("INSERT INTO follow.other VALUES (1, 'not in the query'), (2, 'neither')")
        cur.execute("DELETE FROM follow.t WHERE n < 10")
        time.sleep(0.3)
        cur.execute("FLUSH BINARY LOGS")
        small_transactions(cur, 2000, 3, 0.1)
        conn.close()
        files = rt.binlog_files(server / "binlog.index")
        log("wrote %d binlogs (%s), %.1f MB, %.1fs" % (
            len(files), " ".join(f.name for f in files), sum(f.stat().st_size for f in files) / 1e6, time.time() - t0))

        time.sleep(1.0)  # Binlog_checkpoint events come a little after a rotation
        want = {
            "export": full_run(sluice, ["export", "--format", "ndjson"], files),
            "query": full_run(sluice, query_args, files),
        }
        outs = {"export": export_out, "query": query_out}
        deadline = time.time() + 20
        while time.time() < deadline and any(outs[k].stat().st_size < len(want[k]) for k in outs):
            time.sleep(0.1)
        want_canal = canal_frames(full_run(sluice, ["export", "--format", "canal"], files))
        while time.time() < deadline and len(canal.entries) < len(want_canal) and canal.error is None:
            time.sleep(0.1)
        canal.stop.set()
        canal.join(timeout=25)
        for k in outs:
            log("%s --follow caught up: %d of %d bytes" % (k, outs[k].stat().st_size, len(want[k])))
        if canal.error is None and canal.entries == want_canal:
            log("PASS serve --follow: canal-python received %d entries, equal to export --format canal" % len(want_canal))
            passed += 1
        else:
            i = next((i for i in range(min(len(canal.entries), len(want_canal)))
                      if canal.entries[i] != want_canal[i]), None)
            log("FAIL serve --follow: %s; %d entries, want %d; first difference at %s" % (
                canal.error, len(canal.entries), len(want_canal), i))
            failed += 1
        if events_out.exists():
            log("FAIL events --follow -o: the output file exists before the stop")
            failed += 1
        else:
            passed += 1
        # events --follow writes to a hidden temporary file until the stop: wait until that has
        # the whole listing (same length whatever the in-use flags), not a fixed time (a debug
        # build on a loaded machine took seconds more to reach the first file's Rotate).
        want_events = full_run(sluice, ["events", "--format", "ndjson"], [f for f in files if f >= current])
        waited = time.time()
        while time.time() < deadline + 20:
            tmp = [q for q in work.iterdir() if q.name.startswith(".events.ndjson")]
            if tmp and tmp[0].stat().st_size >= len(want_events):
                break
            time.sleep(0.1)
        log("events --follow caught up after %.1fs more" % (time.time() - waited))
        time.sleep(0.3)  # a poll more
        for name, p in procs:
            peak = peak_rss_mb(p.pid)
            if peak is not None and peak > 150:
                log("FAIL %s --follow: peak RSS %.0f MB (bound 150 MB)" % (name, peak))
                failed += 1
            else:
                log("%s --follow: peak RSS %s MB" % (name, "?" if peak is None else "%.0f" % peak))
                passed += 1
        for name, p in procs:
            p.send_signal(signal.SIGINT)
        for name, p in procs:
            rc = p.wait(timeout=20)
            if rc == 0:
                passed += 1
            else:
                log("FAIL %s --follow exited %d after SIGINT (want 0)" % (name, rc))
                failed += 1
        procs = []
        want["events"] = want_events
        outs["events"] = events_out
        for k in ("export", "query", "events"):
            got = outs[k].read_bytes() if outs[k].exists() else b""
            if k == "events":
                got, want[k] = clear_in_use(got), clear_in_use(want[k])
            lines = want[k].count(b"\n")
            if got == want[k]:
                log("PASS %s --follow: %d lines, equal to %s over the whole files" % (k, lines, k))
                passed += 1
            else:
                g, w = got.split(b"\n"), want[k].split(b"\n")
                i = next((i for i in range(min(len(g), len(w))) if g[i] != w[i]), min(len(g), len(w)))
                log("FAIL %s --follow: %d lines, want %d; first difference at line %d:\n  got  %r\n  want %r" % (
                    k, len(g) - 1, lines, i + 1, g[i][:300] if i < len(g) else None, w[i][:300] if i < len(w) else None))
                failed += 1
        leftovers = [p.name for p in work.iterdir() if p.name.startswith(".")]
        if leftovers:
            log("FAIL temporary outputs left: %s" % leftovers)
            failed += 1
    except Exception as e:  # noqa: BLE001
        log("FAIL %s: %s" % (type(e).__name__, e))
        failed += 1
    finally:
        for name, p in procs:
            p.kill()
            p.wait()
        if started:
            subprocess.run(["bash", str(SANDBOX), "stop", str(server)], stdin=subprocess.DEVNULL, timeout=180)
        shutil.rmtree(work, ignore_errors=True)
    log("%d passed, %d failed (%.1fs)" % (passed, failed, time.time() - t0))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
