// The first load's size, as ARCHITECTURE.md's budget counts it: brotli (quality 11) of what
// app/dist's index.html loads before the app runs — index.html, the app's wasm and JS, the
// CSS — and, apart, the modules imported on first use (verifier, rarely opened screens).
//   app/build --release && node e2e/size.mjs [app/dist]
import { readdirSync, readFileSync } from "node:fs";
import { brotliCompressSync, constants } from "node:zlib";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const dist = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), "..", "app", "dist");
const kb = (n) => (n / 1000).toFixed(1) + " KB";
const brotli = (f) => brotliCompressSync(readFileSync(join(dist, f)), { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const groups = { first: 0, "hoadon-verify": 0, "hoadon-screens": 0 };
for (const f of readdirSync(dist).sort()) {
  const later = f.match(/^(hoadon-verify|hoadon-screens)-.*\.(wasm|js)$/)?.[1];
  const first = /^(hoadon-app-.*\.(wasm|js)|style-.*\.css|index\.html)$/.test(f);
  if (!later && !first) continue;
  const n = brotli(f);
  groups[later ?? "first"] += n;
  console.log(`${(later ?? "first load").padEnd(15)} ${f.padEnd(36)} ${kb(n)}`);
}
console.log(`first load ${kb(groups.first)} (budget 350 KB); on first use: verifier ${kb(groups["hoadon-verify"])}, rarely opened screens ${kb(groups["hoadon-screens"])}`);
process.exit(groups.first <= 350000 ? 0 : 1);
