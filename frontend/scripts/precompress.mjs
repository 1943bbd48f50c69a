// Writes .br and .gz copies of the built bundles (dist/assets/*.js|.css|.svg), so the server sends
// them compressed without compressing at request time. The engine module gets its copies from
// wasm/build.sh. Usage: node scripts/precompress.mjs [dist]
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const dist = path.resolve(process.argv[2] || 'dist');
const dir = path.join(dist, 'assets');
let raw = 0, br = 0, gz = 0;
for (const name of fs.readdirSync(dir)) {
  if (!/\.(js|css|svg)$/.test(name)) continue;
  const file = path.join(dir, name);
  const data = fs.readFileSync(file);
  const P = zlib.constants;
  const b = zlib.brotliCompressSync(data, { params: { [P.BROTLI_PARAM_QUALITY]: 11, [P.BROTLI_PARAM_SIZE_HINT]: data.length } });
  const g = zlib.gzipSync(data, { level: 9 });
  fs.writeFileSync(file + '.br', b);
  fs.writeFileSync(file + '.gz', g);
  raw += data.length;
  br += b.length;
  gz += g.length;
}
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`precompressed bundles: ${kib(raw)} raw, ${kib(gz)} gzip, ${kib(br)} brotli`);
