// `npm run build`, also run by `npm ci` (the `prepare` script): compiles src/ and db/ to JavaScript in
// dist/ so that `npm start` runs plain node, with no TypeScript transpiling at run time (it starts
// about 3× faster and idles ~50 MB smaller than through tsx). It only emits (tsc --noCheck): type
// checking is `npm run typecheck`'s job. `node scripts/build.js <folder>` builds into another folder.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STAMP, sourceHash } from './source-hash.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = resolve(process.argv[2] ?? join(root, 'dist'));

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  // An install without dev dependencies must not fail here: `npm start` then runs the sources through tsx.
  process.stderr.write('partnerbot: typescript is not installed, so nothing was compiled; `npm start` will run the TypeScript sources through tsx.\n');
  process.exit(0);
}

// Hashed before compiling: an edit made while tsc runs makes the build look stale, never current.
const hash = sourceHash(root);
rmSync(out, { recursive: true, force: true });
const run = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', out], { stdio: 'inherit' });
if (run.status !== 0) process.exit(run.status ?? 1);

// Files that are not TypeScript (the playground's HTML, CSS and JS) are read beside the code that serves them.
for (const top of ['src', 'db']) {
  for (const file of readdirSync(join(root, top), { recursive: true, withFileTypes: true })) {
    if (!file.isFile() || file.name.endsWith('.ts')) continue;
    const from = join(file.parentPath, file.name);
    const to = join(out, from.slice(root.length));
    mkdirSync(join(to, '..'), { recursive: true });
    cpSync(from, to);
  }
}
writeFileSync(join(out, STAMP), `${hash}\n`);
