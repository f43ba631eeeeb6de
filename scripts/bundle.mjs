#!/usr/bin/env node
// After `tsc`: bundles each program into one file, as Node's ESM loader costs ~1.5 ms per module
// here and a container start loads about 60 on its critical path:
//   the CLI (bin/rootless)        dist/lib/cli/entry.js        → dist/lib/cli.bundle.js
//   stage 2, the exec stage, the unpack worker: dist/lib/runtime/stage2.js → dist/lib/runtime/stage2.bundle.js …
// The CLI's bundle sits in dist/lib beside paths.js, so installedFile() resolves alike from both.
// Dynamic imports stay lazy inside a bundle. koffi stays external (it loads its native addon by a
// path relative to itself), and so does yargs (it reads its locale files relative to itself).
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

process.chdir(fileURLToPath(new URL('..', import.meta.url)));

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  external: ['koffi', 'yargs', 'yargs/*'],
  // CommonJS dependencies (tar-stream) call require() for Node's built-in modules
  banner: { js: "import { createRequire as bundleRequire } from 'node:module'; const require = bundleRequire(import.meta.url);" },
  logLevel: 'warning',
};

// The CLI is split at its dynamic imports: one file would be compiled whole (~80 ms for 600 KB)
// and would load every external (yargs) at start. Its chunks sit beside it in dist/lib.
for (const stale of readdirSync('dist/lib').filter((name) => /^cli(-chunk-.*)?\.bundle\.js$/.test(name))) rmSync(`dist/lib/${stale}`);
await build({
  ...common,
  entryPoints: [{ in: 'dist/lib/cli/entry.js', out: 'cli.bundle' }],
  outdir: 'dist/lib',
  splitting: true,
  chunkNames: 'cli-chunk-[hash].bundle',
});

// Stage 2, the exec stage and the unpack worker: one file each, beside the module it is built from.
await build({
  ...common,
  entryPoints: [
    { in: 'dist/lib/runtime/stage2.js', out: 'lib/runtime/stage2.bundle' },
    { in: 'dist/lib/runtime/exec-stage.js', out: 'lib/runtime/exec-stage.bundle' },
    { in: 'dist/lib/image/unpack-worker.js', out: 'lib/image/unpack-worker.bundle' },
  ],
  outdir: 'dist',
});
