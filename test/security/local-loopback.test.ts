// The local adapter can act as anyone, so it only ever listens on loopback; button values carry no
// control characters into the store.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/bot/config.ts';
import { decodeAction } from '../../src/domain/message.ts';

describe('local adapter exposure', () => {
  it('refuses a non-loopback HOST while the local adapter is on', () => {
    expect(() => loadConfig({ HOST: '0.0.0.0' })).toThrow(ConfigError);
    expect(() => loadConfig({ HOST: '0.0.0.0' })).toThrow(/HOST=0\.0\.0\.0 is refused/);
    expect(loadConfig({ HOST: '127.0.0.1' }).local).toBe(true);
    expect(loadConfig({ HOST: 'localhost' }).local).toBe(true);
  });

  it('allows another HOST when the local adapter is off', () => {
    expect(loadConfig({ HOST: '0.0.0.0', LOCAL_ADAPTER: 'false' }).local).toBe(false);
  });

  it('rejects button values with control characters', () => {
    expect(decodeAction('consult.respond', 'c-abcdefgh:responded')).toMatchObject({ type: 'consult.respond' });
    expect(decodeAction('consult.respond', 'c-abc\u0000defgh:responded')).toHaveProperty('error');
    expect(decodeAction('command', 'help\u001b[31m')).toHaveProperty('error');
  });
});
