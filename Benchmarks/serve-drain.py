#!/usr/bin/env python3
"""Drain a `sluice serve` destination with canal-python's stock client and time it.

    python3 Benchmarks/serve-drain.py PORT [--batch 100] [--decode rows|entries] [--host 127.0.0.1]

canal-python 0.4's `Client`/`Connector` are used unchanged (GET + CLIENTACK per batch, the
length prefix and body in two writes, no TCP_NODELAY). Its generated `*_pb2` modules are too
old for protobuf >= 4's default (upb) backend, so, when `protoc` is there, the two message
modules are regenerated from Sources/CanalProtocol/Proto into a temporary directory and put in
their place (same messages and field numbers; EntryProtocol in a package of its own, as the
two files define the same enum value names). Without protoc, or with --pure-python, the
pure-Python backend is used. The backend in use is printed.

--decode rows (default) parses every ROWDATA entry's RowChange and touches every column value,
as canal-python's example.py does; --decode entries parses only the Entry messages.

Prints one JSON line: rows (row changes), entries, batches, wall_s (subscribe to the empty
batch), client_cpu_s (this process, user + system), get_ms percentiles and the number of GETs
slower than 35 ms (a delayed-ACK stall is 40 ms), and the protobuf backend.
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def regenerated_modules():
    """Modules generated for the installed protobuf runtime, or None."""
    protoc = shutil.which("protoc")
    if protoc is None:
        return None
    out = tempfile.mkdtemp(prefix="canalpb-")
    src = os.path.join(out, "src")
    os.mkdir(src)
    for name in ("CanalProtocol.proto", "EntryProtocol.proto"):
        with open(os.path.join(ROOT, "Sources/CanalProtocol/Proto", name)) as f:
            text = f.read()
        if name == "EntryProtocol.proto":
            text = text.replace(
                "package com.alibaba.otter.canal.protocol;", "package com.alibaba.otter.canal.protocol.entry;")
        with open(os.path.join(src, name), "w") as f:
            f.write(text)
    subprocess.run([protoc, "-I", src, "--python_out=" + out, "CanalProtocol.proto", "EntryProtocol.proto"], check=True)
    sys.path.insert(0, out)
    import CanalProtocol_pb2
    import EntryProtocol_pb2
    return CanalProtocol_pb2, EntryProtocol_pb2


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("port", type=int)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--batch", type=int, default=100, help="fetch_size (KiB in MEMSIZE mode)")
    parser.add_argument("--decode", choices=["rows", "entries"], default="rows")
    parser.add_argument("--pure-python", action="store_true")
    parser.add_argument("--client-id", default="1001")
    args = parser.parse_args()

    if args.pure_python:
        os.environ["PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION"] = "python"
        modules = None
    else:
        modules = regenerated_modules()
        if modules is None:
            os.environ["PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION"] = "python"
    import canal.protocol
    if modules is not None:
        canal_pb2, entry_pb2 = modules
        sys.modules["canal.protocol.CanalProtocol_pb2"] = canal_pb2
        sys.modules["canal.protocol.EntryProtocol_pb2"] = entry_pb2
        canal.protocol.CanalProtocol_pb2 = canal_pb2
        canal.protocol.EntryProtocol_pb2 = entry_pb2
    from canal.client import Client
    from canal.protocol import EntryProtocol_pb2
    from google.protobuf.internal import api_implementation

    client = Client()
    sys.stdout, real_stdout = sys.stderr, sys.stdout  # canal-python prints progress lines
    client.connect(host=args.host, port=args.port)
    client.check_valid(username=b"", password=b"")
    client.subscribe(client_id=args.client_id.encode(), destination=b"example", filter=b".*\\..*")
    sys.stdout = real_stdout

    rows = entries = batches = 0
    times = []
    cpu0 = time.process_time()
    wall0 = time.perf_counter()
    rowdata = EntryProtocol_pb2.EntryType.ROWDATA
    while True:
        t = time.perf_counter()
        message = client.get(args.batch)
        times.append((time.perf_counter() - t) * 1000)
        if not message["id"]:
            break
        batches += 1
        for entry in message["entries"]:
            entries += 1
            if entry.entryType != rowdata:
                continue
            if args.decode == "entries":
                for prop in entry.header.props:
                    if prop.key == "rowsCount":
                        rows += int(prop.value)
                continue
            change = EntryProtocol_pb2.RowChange()
            change.MergeFromString(entry.storeValue)
            for row in change.rowDatas:
                rows += 1
                for column in row.beforeColumns:
                    _ = column.value
                for column in row.afterColumns:
                    _ = column.value
    wall = time.perf_counter() - wall0
    cpu = time.process_time() - cpu0
    client.disconnect()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    times.sort()

    def pct(p):
        return round(times[min(len(times) - 1, int(p * len(times)))], 2)

    print(json.dumps({
        "client": "canal-python", "backend": api_implementation.Type(), "decode": args.decode, "batch": args.batch,
        "rows": rows, "entries": entries, "batches": batches,
        "wall_s": round(wall, 3), "client_cpu_s": round(cpu, 3),
        "client_maxrss_mib": round(usage.ru_maxrss / 1024, 1),
        "get_ms_p50": pct(0.5), "get_ms_p90": pct(0.9), "get_ms_max": pct(1.0),
        "gets_over_35ms": sum(1 for x in times if x > 35),
    }))


if __name__ == "__main__":
    main()
