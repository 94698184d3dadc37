"""The work split: one task per file, and a file larger than the split size cut into byte ranges.

A range [start, stop) stands for the transactions that *start* inside it (`sluice query
--start-position FILE:start --stop-position FILE:stop` selects exactly those, through the file's
index or its archive's seek table), so cuts can fall anywhere: the ranges of a file partition its
transactions, each range is whole transactions, and their outputs concatenated in range order are
the file's output. No transaction list is needed to cut.
"""
from typing import Dict, List

BINLOG_HEADER = 4  # the magic; the first event starts here


def binlog_size(planned: Dict) -> int:
    """The binlog's own size (for an archive, the decompressed size), else the file's size."""
    v = (planned.get("info") or {}).get("size")  # sluice info: the binlog's size, archived or not
    return v if isinstance(v, int) and v > 0 else planned["size"]


def cuts(size: int, split_bytes: int) -> List[int]:
    """Range boundaries: [4, c1, ..., size] with ranges of about split_bytes each."""
    if split_bytes <= 0 or size <= split_bytes:
        return [BINLOG_HEADER, size]
    n = -(-(size - BINLOG_HEADER) // split_bytes)
    step = (size - BINLOG_HEADER) / n
    return [BINLOG_HEADER + int(round(i * step)) for i in range(n)] + [size]


def tasks(planned_files: List[Dict], split_bytes: int, split: bool = True) -> List[Dict]:
    """Tasks for the planned files of all sources (each planned file: an InputFile dict plus what
    tasks.plan_file found). A file that could not be indexed is exported alone, front to back
    ('export' mode: rows up to the damage, then its error), and left out of the file lists the
    other files' queries replay DDL from."""
    by_source: Dict[str, List[Dict]] = {}
    for p in planned_files:
        by_source.setdefault(p["source"], []).append(p)
    out = []
    for source, files in by_source.items():
        files.sort(key=lambda p: p["ordinal"])
        readable = [p["path"] for p in files if p.get("indexed")]
        for p in files:
            base = {"source": source, "path": p["path"], "name": p["name"], "ordinal": p["ordinal"]}
            if not p.get("indexed"):
                out.append(dict(base, mode="export", range=0, start=0, stop=0, weight=p["size"],
                                error=p.get("error_message") or ""))
                continue
            # The source's files up to this one: later files are never read by a range of this one.
            group = readable[:readable.index(p["path"]) + 1]
            size = binlog_size(p)
            bounds = cuts(size, split_bytes if split else 0)
            for i in range(len(bounds) - 1):
                out.append(dict(base, mode="query", range=i, start=bounds[i], stop=bounds[i + 1],
                                group=group, size=size, weight=bounds[i + 1] - bounds[i]))
    # Largest first, so a big range does not start last and straggle.
    out.sort(key=lambda t: -t["weight"])
    return out


def pack(work: List[Dict], pack_bytes: int) -> List[List[Dict]]:
    """Spark tasks: a range of at least pack_bytes is a task of its own; smaller ones (the small
    files of an archive) share a task up to pack_bytes, so a 10 KB file does not pay a Spark task's
    overhead alone. Each range still runs its own sluice; largest tasks first."""
    if pack_bytes <= 0:
        return [[t] for t in work]
    bins: List[List[Dict]] = []
    loads: List[int] = []
    for t in sorted(work, key=lambda t: -t["weight"]):
        if t["weight"] >= pack_bytes:
            bins.append([t])
            loads.append(t["weight"])
            continue
        for i, load in enumerate(loads):
            if len(bins[i]) and bins[i][0]["weight"] < pack_bytes and load + t["weight"] <= pack_bytes:
                bins[i].append(t)
                loads[i] += t["weight"]
                break
        else:
            bins.append([t])
            loads.append(t["weight"])
    order = sorted(range(len(bins)), key=lambda i: -loads[i])
    return [bins[i] for i in order]
