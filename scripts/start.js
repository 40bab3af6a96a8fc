// `npm start`: runs the JavaScript build in dist/ (scripts/build.js, run by `npm ci`) when it was made
// from the sources as they are now; otherwise runs the TypeScript sources through tsx, which is
// correct but starts ~3× slower and idles ~50 MB larger, and says so. Plain JavaScript because it
// runs before anything is compiled.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { STAMP, sourceHash } from './source-hash.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');

let built = null;
try {
  built = readFileSync(join(dist, STAMP), 'utf8').trim();
} catch {
  // no build yet
}

if (built !== null && built === sourceHash(root)) {
  await import(pathToFileURL(join(dist, 'src/bot/main.js')).href);
} else {
  const why = built === null ? 'there is no build in dist/' : 'the sources changed since dist/ was built';
  process.stderr.write(`partnerbot: ${why}, so the TypeScript runs through tsx (slower start, more memory); \`npm run build\` makes the fast build.\n`);
  await import('tsx');
  await import(pathToFileURL(join(root, 'src/bot/main.ts')).href);
}
