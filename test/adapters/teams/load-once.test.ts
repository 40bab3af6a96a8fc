// loadOnce (src/adapters/teams/index.ts): how the Teams adapter loads its SDK on first use.
import { describe, expect, it } from 'vitest';
import { loadOnce } from '../../../src/adapters/teams/index.ts';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('loadOnce', () => {
  it('gives callers arriving while it loads the same load, and later callers the loaded value', async () => {
    let loads = 0;
    const get = loadOnce(async (why: string) => {
      loads++;
      await tick();
      return { why, n: loads };
    });
    const [a, b] = await Promise.all([get('request'), get('send')]);
    expect(a).toBe(b);
    expect(a).toEqual({ why: 'request', n: 1 });
    expect(await get('send')).toBe(a);
    expect(loads).toBe(1);
  });

  it('fails every caller of a failed load, and the next caller loads again', async () => {
    let loads = 0;
    let broken = true;
    const get = loadOnce(async () => {
      loads++;
      await tick();
      if (broken) throw new Error('Cannot find module botbuilder');
      return loads;
    });
    const first = await Promise.allSettled([get(), get()]);
    expect(first.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(loads).toBe(1);
    await expect(get()).rejects.toThrow(/botbuilder/);
    expect(loads).toBe(2);
    broken = false;
    expect(await get()).toBe(3);
    expect(await get()).toBe(3);
  });
});
