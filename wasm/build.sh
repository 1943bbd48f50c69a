#!/usr/bin/env bash
# Builds the browser engine into a directory the web server serves as static files:
#
#   hookflow.<sha256-12>.wasm  (+ .gz, + .br)   content-hashed: serve with Cache-Control immutable
#   wasm_exec.js, worker.js, manifest.json       fixed names: serve with Cache-Control no-cache
#
# Usage: wasm/build.sh [outdir]   (default wasm/dist). Older hookflow.*.wasm* files in outdir are
# removed. Environment:
#   HOOKFLOW_VERSION          version string (default: dev)
#   HOOKFLOW_BROTLI_QUALITY   1..11, default 11 (smallest, ~1 min on 24 MB); "off" skips the .br.
#                             Uses the brotli CLI, or node's zlib when the CLI is not installed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="${1:-$here/dist}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

# The version is built in only when given: a version string that changes with every commit
# (git describe) would change the module hash and make every browser download it again.
version="${HOOKFLOW_VERSION:-dev}"
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
quality="${HOOKFLOW_BROTLI_QUALITY:-11}"
if [[ "$quality" != off ]]; then
	if command -v brotli >/dev/null 2>&1; then
		brotli -q "$quality" -w 24 -f -o "$out/$name.br" "$out/$name"
	elif command -v node >/dev/null 2>&1; then
		node -e '
			const fs = require("fs"), zlib = require("zlib"), [src, dst, q] = process.argv.slice(1);
			const data = fs.readFileSync(src), P = zlib.constants;
			fs.writeFileSync(dst, zlib.brotliCompressSync(data, {params: {
				[P.BROTLI_PARAM_QUALITY]: +q, [P.BROTLI_PARAM_LGWIN]: 24, [P.BROTLI_PARAM_SIZE_HINT]: data.length}}));
		' "$out/$name" "$out/$name.br" "$quality"
	fi
	if [[ -f "$out/$name.br" ]]; then br_size="$(stat -c %s "$out/$name.br")"; fi
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
echo "  brotli $(kib "$br_size")$([[ "$br_size" == null ]] && echo " (skipped: HOOKFLOW_BROTLI_QUALITY=off, or neither brotli nor node installed)")"
