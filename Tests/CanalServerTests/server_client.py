#!/usr/bin/env python3
"""Consume a `sluice serve` destination with canal-python's own client (an unmodified Canal client).

    python3 server_client.py HOST PORT [--destination example] [--client-id 1001]
                             [--filter '.*\\..*'] [--batch 3] [--out result.json]

Sequence, all through canal.client.Client:
  connect + check_valid (empty credentials) + subscribe (which sends CLIENTROLLBACK(0), then SUB);
  get_without_ack, rollback(that batch), get_without_ack again (must redeliver), ack it;
  get_without_ack twice, rollback(0);
  get (GET + CLIENTACK) until the empty batch; one more get_without_ack (still empty).

Writes JSON: {"steps": [{"step", "id", "entries": [...], "ms"}, ...]} ("ms": a get's round trip) where each entry has its
re-serialized bytes ("hex"), its header fields and storeValue, as decoded by canal-python's
generated classes. Needs `pip install canal-python==0.4 protobuf`; canal-python's generated code is
too old for protobuf >= 4's default backend, so the pure-Python backend is selected below.
Exit status: 0 on success, 1 on a protocol failure, 2 on setup errors.
"""

import argparse
import contextlib
import io
import json
import os
import sys
import time

os.environ.setdefault("PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION", "python")

try:
    from canal.client import Client
except ImportError as error:  # pragma: no cover - setup problem
    print(f"canal-python is not installed: {error}", file=sys.stderr)
    sys.exit(2)


def entry_json(entry):
    header = entry.header
    return {
        "hex": entry.SerializeToString().hex(),
        "logfileName": header.logfileName,
        "logfileOffset": header.logfileOffset,
        "entryType": entry.entryType,
        "schemaName": header.schemaName,
        "tableName": header.tableName,
        "eventType": header.eventType if header.HasField("eventType") else None,
        "storeValue": entry.storeValue.hex(),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("--destination", default="example")
    parser.add_argument("--client-id", default="1001")
    parser.add_argument("--filter", default=".*\\..*")
    parser.add_argument("--batch", type=int, default=3)
    parser.add_argument("--out", default="-")
    parser.add_argument("--timeout", type=float, default=20.0, help="socket read timeout in seconds")
    args = parser.parse_args()

    steps = []
    client = Client()
    # canal-python prints progress lines on stdout; keep stdout for the result.
    chatter = io.StringIO()
    with contextlib.redirect_stdout(chatter):
        client.connect(host=args.host, port=args.port)
        if client.connector.sock is None or client.connector.sock.fileno() < 0:
            print("could not connect", file=sys.stderr)
            return 1
        # canal-python leaves the socket blocking forever after connecting: bound every read.
        client.connector.sock.settimeout(args.timeout)
        client.check_valid(username=b"", password=b"")
        client.subscribe(
            client_id=args.client_id.encode(),
            destination=args.destination.encode(),
            filter=args.filter.encode(),
        )

        def record(step, message, ms=None):
            steps.append({"step": step, "id": message["id"], "entries": [entry_json(e) for e in message["entries"]],
                          "ms": ms})
            return message

        first = record("first", client.get_without_ack(args.batch))
        if first["id"]:
            client.rollback(first["id"])
        second = record("after-rollback-one", client.get_without_ack(args.batch))
        if second["id"]:
            client.ack(second["id"])

        record("unacked-1", client.get_without_ack(args.batch))
        record("unacked-2", client.get_without_ack(args.batch))
        client.rollback(0)

        for _ in range(100000):
            started = time.perf_counter()
            got = client.get(args.batch)
            message = record("get", got, ms=(time.perf_counter() - started) * 1000)
            if not message["id"]:
                break
        else:
            print("no end of data", file=sys.stderr)
            return 1
        record("after-end", client.get_without_ack(args.batch))
        client.disconnect()

    text = json.dumps({"steps": steps, "chatter": chatter.getvalue()})
    if args.out == "-":
        print(text)
    else:
        with open(args.out, "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
