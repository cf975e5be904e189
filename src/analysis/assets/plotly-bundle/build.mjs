// Build a plotly.js bundle holding only the trace types of traces.txt: `npm run build:plotly`.
//
// Same plotly.js version as plotly.py embeds (package.json pins it; analysis.plotlyjs checks the
// header), bundled and minified with esbuild like plotly.js's own dist files. Output, ignored by
// git: node_modules/.quyhoach/plotly-custom.min.js (`npm ci` wipes it; `make plotlyjs` redoes it).
import { build } from "esbuild";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../../../..");
const require = createRequire(join(root, "package.json"));
const plotlyDir = dirname(require.resolve("plotly.js/package.json"));
const version = JSON.parse(readFileSync(join(plotlyDir, "package.json"), "utf8")).version;
const out = join(root, "node_modules", ".quyhoach", "plotly-custom.min.js");

const traces = readFileSync(join(here, "traces.txt"), "utf8").split("\n")
  .map((line) => line.replace(/#.*/, "").trim()).filter(Boolean);
for (const trace of traces) {
  if (!/^[a-z0-9]+$/.test(trace)) throw new Error(`traces.txt: not a trace type: ${JSON.stringify(trace)}`);
  require.resolve(`plotly.js/lib/${trace}`);  // fails early on a type plotly.js does not have
}

// The entry, generated so that traces.txt stays the only list: core, then Plotly.register.
const entry = [
  "'use strict';",
  "var Plotly = require('plotly.js/lib/core');",
  `Plotly.register([${traces.map((t) => `require('plotly.js/lib/${t}')`).join(", ")}]);`,
  "module.exports = Plotly;",
  "",
].join("\n");

// The licence header, as plotly.js's own: analysis.plotlyjs reads the version and the traces here.
const banner = [
  "/**",
  `* plotly.js v${version} (quyhoach custom bundle; traces: ${traces.join(", ")})`,
  "* Copyright 2012-2026, Plotly, Inc.",
  "* All rights reserved.",
  "* Licensed under the MIT license",
  "*/",
].join("\n");

mkdirSync(dirname(out), { recursive: true });
const result = await build({
  stdin: { contents: entry, resolveDir: root, sourcefile: "plotly-custom-entry.js" },
  bundle: true,
  minify: true,
  format: "iife",
  globalName: "Plotly",
  target: "es2016",
  // as plotly.js's esbuild-config.js: no AMD define (require.js may be on the page), window as global
  define: { global: "window", "define.amd": "false", "process.env.NODE_DEBUG": "false" },
  alias: { regl: "@plotly/regl" },
  // plotly.js's core requires maplibre's CSS for map subplots only: none registered here
  loader: { ".css": "empty" },
  banner: { js: banner },
  legalComments: "none",
  write: false,
  logLevel: "warning",
});
// written whole, then renamed: a build that stops halfway leaves no truncated bundle behind
writeFileSync(`${out}.tmp`, result.outputFiles[0].contents);
renameSync(`${out}.tmp`, out);
console.log(`${out}: plotly.js v${version}, ${traces.length} traces, ${result.outputFiles[0].contents.length} bytes`);
