"""The input files of a job: paths, globs and directories expanded on the driver into sources.

A source is one server's archive: the binlogs of one directory, in the order `sluice` reads a
directory (name order, numeric suffixes as numbers, `NAME.zst` sorted as `NAME`, a binlog present
both plain and archived read from the plain file). A directory that holds binlogs is a source named
after the directory; a directory of directories (`archive/db01/`, `archive/db02/`) gives one source
per subdirectory that holds binlogs, named by its path below the argument. Files named directly
belong to the source of their directory.

Paths must be on a filesystem every worker mounts at the same path (local disk for one machine,
NFS/EFS/Filestore, or an object store through a FUSE mount such as s3fs, gcsfuse or blobfuse2):
`sluice` maps the binlogs it reads. `file://` URLs are accepted.
"""
import glob
import os
import re
from dataclasses import dataclass, field
from typing import Dict, List

BINLOG_MAGIC = b"\xfebin"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


@dataclass
class InputFile:
    source: str        # the source (server archive) this file belongs to
    path: str          # absolute path, the same on every worker
    name: str          # base name (with .zst for archives)
    binlog_name: str   # the binlog's own name (without .zst)
    ordinal: int       # position of the file in its source, from 0
    size: int          # bytes on disk
    archived: bool     # a zstd file (seekable archive or not)


@dataclass
class Source:
    name: str
    files: List[InputFile] = field(default_factory=list)


def _local(path: str) -> str:
    if path.startswith("file://"):
        path = path[len("file://"):]
    elif re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", path):
        raise ValueError("%s: only paths mounted on every worker (or file://) are read; mount object "
                         "stores with a FUSE driver (s3fs, gcsfuse, blobfuse2) or copy the binlogs to a "
                         "shared filesystem" % path)
    return os.path.abspath(path)


def _kind(path: str):
    """'binlog', 'zst' or None, from the first bytes (as sluice tells binlogs from other files)."""
    try:
        with open(path, "rb") as f:
            head = f.read(4)
    except OSError:
        return None
    if head == BINLOG_MAGIC:
        return "binlog"
    if head == ZSTD_MAGIC:
        return "zst"
    return None


def binlog_name(name: str) -> str:
    return name[:-4] if name.endswith(".zst") else name


def order_key(name: str):
    """sluice's directory order: by name, the numeric suffix compared as a number."""
    base = binlog_name(name)
    m = re.match(r"^(.*?)(\d+)$", base)
    if m:
        return (m.group(1), int(m.group(2)), base)
    return (base, -1, base)


def _files_in(directory: str) -> List[str]:
    out = []
    for entry in sorted(os.listdir(directory)):
        p = os.path.join(directory, entry)
        if os.path.isfile(p) and not entry.endswith((".sidx", ".index")) and _kind(p) is not None:
            out.append(p)
    return out


def _add(sources: Dict[str, Source], source: str, path: str):
    s = sources.setdefault(source, Source(source))
    name = os.path.basename(path)
    if any(f.path == path for f in s.files):
        return
    s.files.append(InputFile(source=source, path=path, name=name, binlog_name=binlog_name(name),
                             ordinal=-1, size=os.path.getsize(path), archived=name.endswith(".zst")
                             or _kind(path) == "zst"))


def expand(args: List[str]) -> List[Source]:
    """Sources (sorted by name) with their files in read order."""
    sources: Dict[str, Source] = {}
    for arg in args:
        local = _local(arg)
        matches = sorted(glob.glob(local)) if glob.has_magic(local) else [local]
        if not matches:
            raise FileNotFoundError("%s: no such file or directory" % arg)
        for m in matches:
            if os.path.isdir(m):
                root = m.rstrip("/")
                found = False
                for dirpath, dirnames, _ in os.walk(root):
                    dirnames.sort()
                    files = _files_in(dirpath)
                    if not files:
                        continue
                    found = True
                    rel = os.path.relpath(dirpath, root)
                    name = os.path.basename(root) if rel == "." else rel
                    for f in files:
                        _add(sources, name, f)
                if not found:
                    raise FileNotFoundError("%s: no binlogs in this directory" % arg)
            elif os.path.isfile(m):
                if _kind(m) is None:
                    raise ValueError("%s: not a binlog or zstd file" % m)
                _add(sources, os.path.basename(os.path.dirname(m)) or "/", m)
            else:
                raise FileNotFoundError("%s: no such file or directory" % m)
    out = []
    for name in sorted(sources):
        s = sources[name]
        # A binlog present plain and archived is read from the plain file (as sluice does).
        by_binlog: Dict[str, InputFile] = {}
        for f in s.files:
            kept = by_binlog.get(f.binlog_name)
            if kept is None or (kept.archived and not f.archived):
                by_binlog[f.binlog_name] = f
        s.files = sorted(by_binlog.values(), key=lambda f: order_key(f.name))
        for i, f in enumerate(s.files):
            f.ordinal = i
        out.append(s)
    return out
