#!/usr/bin/env bash
# CRC-32 throughput on this machine: the PCLMULQDQ folding of Sources/CCRC32 against zlib's
# crc32, over a large buffer and per event over a binlog (each event's bytes before its CRC
# trailer, as the index builder checks them; events under 64 bytes by a byte table, as the
# Swift side does with its slicing table). C at -O2, warm cache, best of 5.
#
#   Benchmarks/crc32-bench.sh [BINLOG]     (default: .bench-data/binlog.000001; first 512 MiB)
#   CLMUL_FROM=16 Benchmarks/crc32-bench.sh BINLOG   (fold from 16 bytes instead of 64)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
root=$(cd "$here/.." && pwd -P)
binlog=${1:-$root/.bench-data/binlog.000001}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/bench.c" <<'C'
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <zlib.h>
#include "CCRC32.h"

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static uint32_t table[256];
static uint32_t crc_clmul(uint32_t crc, const unsigned char *p, size_t n) {
  uint32_t r = ~crc;
  if (n >= CLMUL_FROM) return ~sluice_crc32_clmul_fold(r, p, n);
  while (n--) r = table[(r ^ *p++) & 0xFF] ^ (r >> 8);
  return ~r;
}
int main(int argc, char **argv) {
  for (uint32_t i = 0; i < 256; i++) { uint32_t c = i; for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320 ^ (c >> 1) : c >> 1; table[i] = c; }
  if (!sluice_crc32_has_clmul()) { printf("no PCLMULQDQ/SSE4.1 on this CPU\n"); return 0; }
  size_t big = 64 << 20;
  unsigned char *buf = malloc(big);
  for (size_t i = 0; i < big; i++) buf[i] = (unsigned char)(i * 2654435761u >> 13);
  volatile uint32_t sink = 0;
  double bc = 1e9, bz = 1e9;
  for (int r = 0; r < 5; r++) {
    double t0 = now(); sink ^= crc_clmul(0, buf, big);
    double t1 = now(); sink ^= (uint32_t)crc32(0, buf, (uInt)big);
    double t2 = now();
    if (t1 - t0 < bc) bc = t1 - t0;
    if (t2 - t1 < bz) bz = t2 - t1;
  }
  if (crc_clmul(0, buf, big) != (uint32_t)crc32(0, buf, (uInt)big)) { printf("MISMATCH\n"); return 1; }
  printf("64 MiB buffer:      clmul %6.2f GB/s   zlib %6.2f GB/s\n", big / bc / 1e9, big / bz / 1e9);
  if (argc < 2) return 0;
  int fd = open(argv[1], O_RDONLY);
  if (fd < 0) { printf("no binlog at %s: per-event numbers skipped\n", argv[1]); return 0; }
  struct stat st; fstat(fd, &st);
  size_t len = st.st_size < (512l << 20) ? (size_t)st.st_size : (size_t)512 << 20;
  const unsigned char *m = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  size_t events = 0, bytes = 0;
  bc = bz = 1e9;
  for (int r = 0; r < 5; r++) {
    size_t off = 4, bad = 0; events = 0; bytes = 0;
    double t0 = now();
    while (off + 19 <= len) {
      uint32_t size; memcpy(&size, m + off + 9, 4);
      if (size < 23 || off + size > len) break;
      if (m[off + 4] != 15) {
        uint32_t stored; memcpy(&stored, m + off + size - 4, 4);
        bad += crc_clmul(0, m + off, size - 4) != stored;
      }
      off += size; events++; bytes += size;
    }
    double t1 = now();
    for (size_t o = 4; o + 19 <= off;) {
      uint32_t size; memcpy(&size, m + o + 9, 4);
      if (m[o + 4] != 15) { uint32_t stored; memcpy(&stored, m + o + size - 4, 4); bad += (uint32_t)crc32(0, m + o, size - 4) != stored; }
      o += size;
    }
    double t2 = now();
    if (bad) { printf("%zu checksum mismatches\n", bad); return 1; }
    if (t1 - t0 < bc) bc = t1 - t0;
    if (t2 - t1 < bz) bz = t2 - t1;
  }
  printf("per event (%zu events, %zu MB, mean %zu bytes): clmul %6.2f GB/s   zlib %6.2f GB/s\n",
         events, bytes / 1000000, bytes / (events ? events : 1), bytes / bc / 1e9, bytes / bz / 1e9);
  return (int)(sink & 0);
}
C
cc -O2 -DCLMUL_FROM="${CLMUL_FROM:-64}" -I"$root/Sources/CCRC32/include" "$work/bench.c" "$root/Sources/CCRC32/crc32_clmul.c" -lz -o "$work/bench"
"$work/bench" "$binlog"
