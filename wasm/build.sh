#!/usr/bin/env bash
# Builds the browser engine into a directory the web server serves as static files:
#
#   hookflow.<sha256-12>.wasm  (+ .gz, + .br)   content-hashed: serve with Cache-Control immutable
#   wasm_exec.js, worker.js, manifest.json       fixed names: serve with Cache-Control no-cache
#
# Usage: wasm/build.sh [outdir]   (default wasm/dist). HOOKFLOW_VERSION overrides the version
# string (default: git describe). Older hookflow.*.wasm* files in outdir are removed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="${1:-$here/dist}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

version="${HOOKFLOW_VERSION:-$(git -C "$root" describe --always --dirty 2>/dev/null || echo dev)}"
goroot="$(go env GOROOT)"
wasm_exec="$goroot/lib/wasm/wasm_exec.js"
[[ -f "$wasm_exec" ]] || wasm_exec="$goroot/misc/wasm/wasm_exec.js" # Go < 1.24

tmp="$(mktemp "$out/.hookflow.XXXXXX")"
trap 'rm -f "$tmp"' EXIT
(cd "$root" && GOOS=js GOARCH=wasm go build -trimpath -ldflags="-s -w -X main.version=$version" -o "$tmp" ./wasm)

hash="$(sha256sum "$tmp" | cut -c1-12)"
name="hookflow.$hash.wasm"
rm -f "$out"/hookflow.*.wasm "$out"/hookflow.*.wasm.gz "$out"/hookflow.*.wasm.br
mv "$tmp" "$out/$name"
chmod 644 "$out/$name"

# Precompressed copies, so the server sends them with Content-Encoding and never compresses
# at request time. -n keeps the .gz byte-identical between builds of the same module.
gzip -9 -n -c "$out/$name" >"$out/$name.gz"
br_size=null
if command -v brotli >/dev/null 2>&1; then
	brotli -q 11 -f -o "$out/$name.br" "$out/$name"
	br_size="$(stat -c %s "$out/$name.br")"
fi

cp "$wasm_exec" "$out/wasm_exec.js"
cp "$here/worker.js" "$out/worker.js"

size="$(stat -c %s "$out/$name")"
gzip_size="$(stat -c %s "$out/$name.gz")"
cat >"$out/manifest.json" <<EOF
{"wasm": "$name", "size": $size, "gzip_size": $gzip_size, "br_size": $br_size, "version": "$version"}
EOF

kib() { if [[ "$1" == null ]]; then echo "-"; else echo "$(($1 / 1024)) KiB"; fi; }
echo "wasm: $out/$name ($version)"
echo "  raw    $(kib "$size")"
echo "  gzip   $(kib "$gzip_size")"
echo "  brotli $(kib "$br_size")$([[ "$br_size" == null ]] && echo " (brotli not installed)")"
