#!/usr/bin/env python3
"""Decode a varint-delimited stream of Canal Entry messages with canal-python's classes.

An independent check of `sluice export --format canal`: the messages are parsed by the
protobuf classes that ship with canal-python 0.4 (generated from Canal's own .proto files), not
by Sluice's code. Prints one JSON object per entry, one per line.

    python3 decode_entries.py [FILE]         # FILE or stdin
    python3 decode_entries.py --roundtrip F  # also fail unless re-serializing every Entry and
                                             # storeValue gives back the exact input bytes

Oneof members ("*_present" in the .proto) that are not set print as null, so presence can be
checked: e.g. header.eventType is null for TRANSACTIONBEGIN/END, column.isNull is never null
for Canal 1.1.x output.

Needs `pip install canal-python==0.4 protobuf`. canal-python's generated code is too old for
protobuf >= 4's default backend, so the pure-Python backend is selected below.
Exit status: 0 on success, 1 on a malformed stream or round-trip mismatch, 2 on setup errors.
"""

import argparse
import json
import os
import sys

os.environ.setdefault("PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION", "python")

try:
    from canal.protocol import EntryProtocol_pb2 as E
except ImportError as error:  # pragma: no cover - setup problem
    sys.stderr.write(
        "decode_entries: cannot import canal-python (%s); "
        "install with: pip install canal-python==0.4 protobuf\n" % error
    )
    sys.exit(2)


class StreamError(Exception):
    pass


def read_varint(data, pos):
    """Return (value, next position); raise StreamError on truncation or overlong varints."""
    start = pos
    result = 0
    shift = 0
    while True:
        if pos >= len(data):
            raise StreamError("offset %d: stream ends inside a length prefix" % start)
        byte = data[pos]
        pos += 1
        if shift >= 63 and byte > 1:
            raise StreamError("offset %d: length prefix is longer than 10 bytes" % start)
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7


def frames(data):
    """Yield (offset, message bytes) for each frame."""
    pos = 0
    while pos < len(data):
        start = pos
        length, pos = read_varint(data, pos)
        if length > len(data) - pos:
            raise StreamError(
                "offset %d: frame of %d bytes but only %d remain" % (start, length, len(data) - pos)
            )
        yield start, data[pos : pos + length]
        pos += length


def enum_name(enum_type, value):
    try:
        return enum_type.Name(value)
    except ValueError:
        return value  # a number the schema does not know


def oneof(message, field, enum_type=None):
    """The value of a one-member presence oneof, or None when it is not set."""
    if not message.HasField(field):
        return None
    value = getattr(message, field)
    return enum_name(enum_type, value) if enum_type is not None else value


def pairs(repeated):
    return [{"key": p.key, "value": p.value} for p in repeated]


def column(c):
    return {
        "index": c.index,
        "sqlType": c.sqlType,
        "name": c.name,
        "isKey": c.isKey,
        "updated": c.updated,
        "isNull": oneof(c, "isNull"),
        "value": c.value,
        "mysqlType": c.mysqlType,
        "length": c.length,
        "props": pairs(c.props),
    }


def header(h):
    return {
        "version": oneof(h, "version"),
        "logfileName": h.logfileName,
        "logfileOffset": h.logfileOffset,
        "serverId": h.serverId,
        "serverenCode": h.serverenCode,
        "executeTime": h.executeTime,
        "sourceType": oneof(h, "sourceType", E.Type),
        "schemaName": h.schemaName,
        "tableName": h.tableName,
        "eventLength": h.eventLength,
        "eventType": oneof(h, "eventType", E.EventType),
        "props": pairs(h.props),
        "gtid": h.gtid,
    }


def check_roundtrip(message, original, what, offset):
    again = message.SerializeToString()
    if again != original:
        raise StreamError(
            "offset %d: %s re-serializes differently\n  input  %s\n  python %s"
            % (offset, what, original.hex(), again.hex())
        )


def decode_entry(offset, raw, roundtrip):
    entry = E.Entry()
    entry.ParseFromString(raw)
    if roundtrip:
        check_roundtrip(entry, raw, "Entry", offset)
    result = {
        "offset": offset,
        "entryType": oneof(entry, "entryType", E.EntryType),
        "header": header(entry.header),
    }
    store = entry.storeValue
    kind = entry.entryType
    if kind == E.TRANSACTIONBEGIN:
        begin = E.TransactionBegin()
        begin.ParseFromString(store)
        result["transactionBegin"] = {
            "threadId": begin.threadId,
            "transactionId": begin.transactionId,
            "executeTime": begin.executeTime,
            "props": pairs(begin.props),
        }
        message = begin
    elif kind == E.TRANSACTIONEND:
        end = E.TransactionEnd()
        end.ParseFromString(store)
        result["transactionEnd"] = {
            "transactionId": end.transactionId,
            "executeTime": end.executeTime,
            "props": pairs(end.props),
        }
        message = end
    elif kind == E.ROWDATA:
        change = E.RowChange()
        change.ParseFromString(store)
        result["rowChange"] = {
            "tableId": change.tableId,
            "eventType": oneof(change, "eventType", E.EventType),
            "isDdl": oneof(change, "isDdl"),
            "sql": change.sql,
            "ddlSchemaName": change.ddlSchemaName,
            "props": pairs(change.props),
            "rowDatas": [
                {
                    "beforeColumns": [column(c) for c in row.beforeColumns],
                    "afterColumns": [column(c) for c in row.afterColumns],
                    "props": pairs(row.props),
                }
                for row in change.rowDatas
            ],
        }
        message = change
    else:  # HEARTBEAT, GTIDLOG or unknown: not meant for clients; show the raw bytes
        result["storeValue"] = store.hex()
        message = None
    if roundtrip and message is not None:
        check_roundtrip(message, store, "storeValue", offset)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("file", nargs="?", help="framed Entry stream (default: stdin)")
    parser.add_argument(
        "--roundtrip",
        action="store_true",
        help="fail unless canal-python re-serializes every Entry and storeValue byte for byte",
    )
    args = parser.parse_args()
    if args.file and args.file != "-":
        with open(args.file, "rb") as f:
            data = f.read()
    else:
        data = sys.stdin.buffer.read()

    out = sys.stdout
    count = 0
    try:
        for offset, raw in frames(data):
            try:
                entry = decode_entry(offset, raw, args.roundtrip)
            except StreamError:
                raise
            except Exception as error:  # protobuf DecodeError and friends
                raise StreamError("offset %d: not a valid Entry: %s" % (offset, error))
            out.write(json.dumps(entry, ensure_ascii=False, separators=(",", ":")))
            out.write("\n")
            count += 1
    except StreamError as error:
        out.flush()
        sys.stderr.write("decode_entries: %s\n" % error)
        return 1
    sys.stderr.write("decode_entries: %d entries\n" % count)
    return 0


if __name__ == "__main__":
    sys.exit(main())
