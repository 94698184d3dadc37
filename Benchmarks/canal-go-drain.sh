#!/usr/bin/env bash
# Builds Benchmarks/canal-go/drain.go, a drain client on canal-go's SimpleCanalConnector
# (unchanged), and prints the path of the binary.
#
#   CANAL_GO_SRC=/path/to/canal-go Benchmarks/canal-go-drain.sh
#
# Needs Debian's golang-go and golang-google-protobuf-dev (installed here with apt-get when
# missing and run as root) and canal-go's source: CANAL_GO_SRC is a checkout, or a bare git
# directory (its HEAD is used). canal-go is built in GOPATH mode against Debian's protobuf
# module (no module downloads); its cluster connector files are left out, as they need a
# ZooKeeper client Debian does not package under that import path and the drain uses the
# simple connector only. The binary is cached in $OUT (default .bench-data-canal-go) by the
# source's and drain.go's hashes.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
root=$(cd "$here/.." && pwd -P)
OUT=${OUT:-$root/.bench-data-canal-go}
src=${CANAL_GO_SRC:-}
[[ -n "$src" ]] || { echo "canal-go-drain: set CANAL_GO_SRC to canal-go's source (a checkout or a git directory)" >&2; exit 64; }
[[ -e "$src" ]] || { echo "canal-go-drain: CANAL_GO_SRC=$src does not exist" >&2; exit 3; }

if ! command -v go >/dev/null || [[ ! -d /usr/share/gocode/src/google.golang.org/protobuf ]]; then
  if [[ $(id -u) == 0 ]]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q golang-go golang-google-protobuf-dev >&2
  else
    echo "canal-go-drain: needs golang-go and golang-google-protobuf-dev (apt-get install)" >&2; exit 3
  fi
fi

mkdir -p "$OUT"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pkg=$work/gopath/src/github.com/withlin/canal-go
mkdir -p "$pkg"
if [[ -d "$src/.git" || ! -d "$src/client" ]] && git --git-dir="$( [[ -d "$src/.git" ]] && echo "$src/.git" || echo "$src")" rev-parse HEAD >/dev/null 2>&1; then
  gitdir=$( [[ -d "$src/.git" ]] && echo "$src/.git" || echo "$src")
  git --git-dir="$gitdir" archive HEAD | tar -x -C "$pkg"
else
  cp -r "$src"/. "$pkg"/
fi
[[ -f "$pkg/client/simple_canal_connector.go" ]] || { echo "canal-go-drain: $src holds no client/simple_canal_connector.go" >&2; exit 2; }
rm -f "$pkg"/client/cluster_*.go "$pkg"/go.mod "$pkg"/go.sum
rm -rf "$pkg/samples"
mkdir -p "$work/gopath/src/sluicedrain"
cp "$here/canal-go/drain.go" "$work/gopath/src/sluicedrain/main.go"
key=$( (cd "$pkg" && find . -name '*.go' -type f | sort | xargs sha256sum; sha256sum "$here/canal-go/drain.go") | sha256sum | cut -c1-16)
bin=$OUT/canal-go-drain-$key
if [[ ! -x "$bin" ]]; then
  (cd "$work/gopath/src/sluicedrain" && GO111MODULE=off GOPATH="$work/gopath:/usr/share/gocode" GOCACHE="$work/cache" \
    go build -o "$bin.tmp" . >&2)
  mv "$bin.tmp" "$bin"
fi
echo "$bin"
