// src/domain holds the rules only: it must not import outer layers, SDKs or database drivers.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const DOMAIN = join(import.meta.dirname, '../../src/domain');
const ALLOWED_PACKAGES = ['luxon', 'chrono-node', 'chrono-node/en', 'date-holidays'];

function importsOf(source: string): string[] {
  return [...source.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
    (m) => m[1] ?? m[2] ?? '',
  );
}

describe('the domain core is pure', () => {
  const files = readdirSync(DOMAIN).filter((f) => f.endsWith('.ts'));

  it('has files to check', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it.each(files)('%s imports only domain files and pure libraries', (file) => {
    for (const spec of importsOf(readFileSync(join(DOMAIN, file), 'utf8'))) {
      if (spec.startsWith('./')) {
        expect(spec, `${file} imports ${spec}`).toMatch(/^\.\/[\w-]+\.ts$/);
      } else {
        expect(ALLOWED_PACKAGES, `${file} imports ${spec}`).toContain(spec);
      }
    }
  });
});
