#!/usr/bin/env python3
"""Compare Canal entries, as canal-python decoded them, with Sluice's NDJSON export.

    python3 decode_entries.py out.canal > decoded.jsonl
    python3 canal_compare.py decoded.jsonl out.ndjson [--tables Fixtures/SET/expected-tables.json]

Both inputs must come from the same binlog files read in the same order, the Canal one with
`forClients` (or not: GTIDLOG/BEGIN/END entries are ignored). Every row event is matched in order:
each Canal ROWDATA entry of type INSERT/UPDATE/DELETE takes the next `rowsCount` NDJSON row lines,
which must have the same file, position, database, table and type. For every row image the
column names must be the same and every value must be what Canal's text rules (canal-protocol.md
§2.6) make of the NDJSON value:

  integers, BIT          decimal text of the number
  DECIMAL                NDJSON's exact text with Canal's zero-partial-group rule (500.00 -> 500.0)
  FLOAT / DOUBLE         Java Float/Double.toString of the same float32/float64
  YEAR                   4 digits, 0 -> 0000
  DATE, TIME, DATETIME   the same text
  TIMESTAMP              NDJSON's UTC ISO-8601 as 'YYYY-MM-DD HH:MM:SS[.f]' (Canal zone = UTC)
  ENUM / SET             NDJSON label(s) -> 1-based index / bitmask (labels from --tables), or
                         the same number when the binlog had no labels
  CHAR/VARCHAR/TEXT      the same string
  binary, BLOB, GEOMETRY NDJSON {"base64"} bytes == the ISO-8859-1 bytes of Canal's text
                         (BINARY(n): NDJSON pads to n bytes, Canal keeps the row image's bytes)
  NULL                   isNull=true, no value

It also checks isKey against NDJSON's "pk", `updated` against NDJSON's "changed" (Canal: text
differs, or the column is missing from the before image), and the header (logfileName,
logfileOffset, executeTime = ts*1000, schema, table, eventType, rowsCount).

Prints a JSON summary; exit status 0 when nothing differs, 1 otherwise, 2 on bad input.
"""

import argparse
import base64
import json
import math
import re
import struct
import sys
from decimal import Decimal


def canal_decimal(exact):
    """Canal's DECIMAL text from the exact text with all scale digits."""
    neg = exact.startswith("-")
    body = exact[1:] if neg else exact
    if "." in body:
        ip, fp = body.split(".")
    else:
        ip, fp = body, ""
    scale = len(fp)
    kept = fp[: scale // 9 * 9]
    rest = fp[scale // 9 * 9 :]
    if rest.strip("0"):
        kept = fp
    ip = ip.lstrip("0") or "0"
    is_zero = not ip.strip("0") and not kept.strip("0")
    out = ("-" if neg and not is_zero else "") + ip
    if scale > 0:
        out += "." + (kept if kept else "0")
    return out


def java_layout(digits, exp10):
    """Java's Double/Float.toString layout of 0.d1d2... x 10^exp10 (digits without trailing 0s)."""
    n = len(digits)
    sci = exp10 - 1  # value = d.ddd x 10^sci
    if -3 <= sci < 0:
        return "0." + "0" * (-sci - 1) + digits
    if 0 <= sci < 7:
        ints = sci + 1
        if n <= ints:
            return digits + "0" * (ints - n) + ".0"
        return digits[:ints] + "." + digits[ints:]
    return digits[0] + "." + (digits[1:] or "0") + "E" + str(sci)


def shortest_digits(text):
    """(digits, exp10) of a non-zero decimal text: value = 0.digits x 10^exp10."""
    _, dig, exp = Decimal(text).normalize().as_tuple()
    s = "".join(map(str, dig))
    return s, len(s) + exp


def java_double(x):
    if x == 0:
        return "-0.0" if math.copysign(1, x) < 0 else "0.0"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if math.isnan(x):
        return "NaN"
    digits, e = shortest_digits(repr(abs(x)))
    return ("-" if x < 0 else "") + java_layout(digits, e)


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def java_float(x):
    x = f32(x)
    if x == 0:
        return "-0.0" if math.copysign(1, x) < 0 else "0.0"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    for p in range(1, 10):
        t = "%.*e" % (p - 1, abs(x))
        try:
            if f32(float(t)) != abs(x):
                continue
        except OverflowError:
            continue
        if True:
            digits, e = shortest_digits(t)
            return ("-" if x < 0 else "") + java_layout(digits, e)
    return repr(x)


ISO = re.compile(r"^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d(?:\.\d+)?)Z$")


class Comparer:
    def __init__(self, labels):
        self.labels = labels  # (db, table, column) -> [labels]
        self.mismatches = []
        self.mismatch_count = 0
        self.values = 0
        self.rows = 0
        self.entries = 0
        self.numeric_only = 0

    @staticmethod
    def same_number(sql_type, v, actual):
        try:
            a = float(actual)
        except ValueError:
            return False
        java_like = ("E" in actual) == (a != 0 and not (1e-3 <= abs(a) < 1e7)) and "e" not in actual
        if sql_type == 7:
            return java_like and f32(a) == f32(float(v))
        return java_like and a == float(v)

    def fail(self, where, what, expected, actual):
        self.mismatch_count += 1
        if len(self.mismatches) < 50:
            self.mismatches.append({"at": where, "what": what, "expected": expected, "actual": actual})

    def expected_text(self, db, table, col, v):
        """Canal's text for NDJSON value v of column col (a decoded canal-python column)."""
        mt = col["mysqlType"].lower()
        st = col["sqlType"]
        name = col["name"]
        if mt.startswith("enum"):
            if isinstance(v, int):
                return str(v)
            labels = self.labels.get((db, table, name))
            if labels is None:
                return None
            return str(labels.index(v) + 1) if v in labels else "0"
        if mt.startswith("set"):
            if isinstance(v, int):
                return str(v)
            labels = self.labels.get((db, table, name))
            if labels is None:
                return None
            bits = 0
            for part in (v.split(",") if v else []):
                bits |= 1 << labels.index(part)
            return str(bits)
        if mt.startswith("decimal"):
            return canal_decimal(v)
        if st == 7 or mt.startswith("float"):
            return java_float(float(v))
        if st == 8 or mt.startswith("double"):
            return java_double(float(v))
        if mt.startswith("year"):
            return "0000" if v == 0 else str(v)
        if mt.startswith("timestamp"):
            m = ISO.match(v)
            return m.group(1) + " " + m.group(2) if m else v
        if isinstance(v, bool):
            return None
        if isinstance(v, int):
            return str(v)
        if isinstance(v, dict) and "base64" in v:
            raw = base64.b64decode(v["base64"])
            if st in (2004,) and not mt.endswith("text"):
                return ("latin1", raw)
            return raw.decode("utf-8", "replace")
        if isinstance(v, str):
            return v
        if isinstance(v, (dict, list)):
            return ("json", v)
        return json.dumps(v)

    def compare_value(self, where, db, table, col, v):
        self.values += 1
        name = col["name"]
        if v is None:
            if col["isNull"] is not True:
                self.fail(where, "%s should be NULL" % name, None, col["value"])
            return
        if col["isNull"] is not False:
            self.fail(where, "%s isNull" % name, False, col["isNull"])
            return
        exp = self.expected_text(db, table, col, v)
        actual = col["value"]
        if exp is None:
            self.fail(where, "%s: cannot derive Canal text of %r (%s)" % (name, v, col["mysqlType"]), None, actual)
            return
        if isinstance(exp, tuple) and exp[0] == "latin1":
            got = actual.encode("latin-1", "replace")
            want = exp[1]
            if col["mysqlType"].lower().startswith("binary("):
                got = got.ljust(len(want), b"\x00")
            if got != want:
                self.fail(where, "%s bytes" % name, want.hex(), got.hex())
            return
        if isinstance(exp, tuple) and exp[0] == "json":
            try:
                if json.loads(actual) != exp[1]:
                    self.fail(where, "%s json" % name, exp[1], actual)
            except ValueError:
                self.fail(where, "%s json" % name, exp[1], actual)
            return
        if exp != actual and col["sqlType"] in (7, 8) and self.same_number(col["sqlType"], v, actual):
            # Same float, different digits: Python's shortest repr and Java 19+'s choice differ
            # only for tiny subnormals (5e-324 vs 4.9E-324); the layout must still be Java's.
            self.numeric_only += 1
            return
        if exp != actual:
            self.fail(where, "%s (%s, sqlType %s)" % (name, col["mysqlType"], col["sqlType"]), exp, actual)

    def compare_image(self, where, db, table, cols, image, pk, changed, before_names, is_after):
        names = [c["name"] for c in cols]
        if image is None:
            if cols:
                self.fail(where, "columns present but NDJSON image is null", None, names)
            return
        if sorted(names) != sorted(image.keys()):
            self.fail(where, "column names", sorted(image.keys()), sorted(names))
        for c in cols:
            if c["name"] not in image:
                continue
            self.compare_value(where + "/" + c["name"], db, table, c, image[c["name"]])
            if bool(c["isKey"]) != (c["name"] in pk):
                self.fail(where, "%s isKey" % c["name"], c["name"] in pk, c["isKey"])
            if is_after:
                want = changed is None or c["name"] in changed or c["name"] not in before_names
                if bool(c["updated"]) != want:
                    self.fail(where, "%s updated" % c["name"], want, c["updated"])
            elif c["updated"]:
                self.fail(where, "%s updated on a before column" % c["name"], False, True)

    def run(self, entries, rows):
        ri = 0
        for e in entries:
            rc = e.get("rowChange")
            if e["entryType"] != "ROWDATA" or rc is None or rc["eventType"] not in ("INSERT", "UPDATE", "DELETE"):
                continue
            self.entries += 1
            h = e["header"]
            datas = rc["rowDatas"]
            props = {p["key"]: p["value"] for p in h["props"]}
            if datas and props.get("rowsCount") != str(len(datas)):
                self.fail("entry@%s:%s" % (h["logfileName"], h["logfileOffset"]), "rowsCount", len(datas), props.get("rowsCount"))
            for k, rd in enumerate(datas):
                where = "%s:%s row %d" % (h["logfileName"], h["logfileOffset"], k)
                if ri >= len(rows):
                    self.fail(where, "NDJSON has no more rows", None, None)
                    return
                r = rows[ri]
                ri += 1
                self.rows += 1
                for what, want, got in (
                    ("logfileName", r["file"], h["logfileName"]),
                    ("logfileOffset", r["pos"], h["logfileOffset"]),
                    ("executeTime", r["ts"] * 1000, h["executeTime"]),
                    ("schemaName", r["db"], h["schemaName"]),
                    ("tableName", r["table"], h["tableName"]),
                    ("eventType", r["type"].upper(), h["eventType"]),
                ):
                    if want != got:
                        self.fail(where, what, want, got)
                db, table = r["db"], r["table"]
                pk = set(r.get("pk") or [])
                changed = set(r["changed"]) if "changed" in r else None
                before_names = {c["name"] for c in rd["beforeColumns"]}
                self.compare_image(where + " before", db, table, rd["beforeColumns"], r["before"], pk, None, set(), False)
                self.compare_image(where + " after", db, table, rd["afterColumns"], r["after"], pk, changed, before_names, True)
        if ri != len(rows):
            self.fail("end", "NDJSON rows left over", ri, len(rows))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("decoded", help="decode_entries.py output (JSON lines)")
    ap.add_argument("ndjson", help="sluice export --format ndjson output")
    ap.add_argument("--tables", help="expected-tables.json with ENUM/SET labels")
    args = ap.parse_args()
    labels = {}
    if args.tables:
        with open(args.tables, encoding="utf-8") as f:
            doc = json.load(f)
        for t in doc["tables"]:
            for c in t["columns"]:
                if "labels" in c:
                    labels[(t["db"], t["table"], c["name"])] = c["labels"]
    try:
        with open(args.decoded, encoding="utf-8") as f:
            entries = [json.loads(l) for l in f if l.strip()]
        with open(args.ndjson, encoding="utf-8") as f:
            rows = [r for r in (json.loads(l) for l in f if l.strip()) if r.get("type") in ("insert", "update", "delete")]
    except (OSError, ValueError) as error:
        sys.stderr.write("canal_compare: %s\n" % error)
        return 2
    c = Comparer(labels)
    c.run(entries, rows)
    json.dump(
        {
            "entries": c.entries,
            "rows": c.rows,
            "values": c.values,
            "float_digits_differ": c.numeric_only,
            "mismatch_count": c.mismatch_count,
            "mismatches": c.mismatches,
        },
        sys.stdout,
        ensure_ascii=False,
        indent=1,
    )
    sys.stdout.write("\n")
    return 0 if c.mismatch_count == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
