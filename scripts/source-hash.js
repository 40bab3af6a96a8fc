// What a build was made from: one hash over every file under src/ and db/ and the TypeScript settings.
// scripts/build.js writes it into the build; scripts/start.js compares it with the sources of now.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The build's record of its sources, inside the output folder. */
export const STAMP = '.source-hash';

const HASHED = ['src', 'db', 'tsconfig.json', 'tsconfig.build.json'];

/** Every file under `path` (a folder or one file), relative to `root`, in a fixed order. */
function files(root, path) {
  let entries;
  try {
    entries = readdirSync(join(root, path), { withFileTypes: true });
  } catch (err) {
    if (err.code === 'ENOTDIR') return [path];
    if (err.code === 'ENOENT') return [];
    throw err;
  }
  return entries
    .map((e) => ({ name: `${path}/${e.name}`, dir: e.isDirectory() }))
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) => (e.dir ? files(root, e.name) : [e.name]));
}

/** @param {string} root the checkout's folder */
export function sourceHash(root) {
  const hash = createHash('sha256');
  for (const file of HASHED.flatMap((p) => files(root, p))) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(join(root, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}
