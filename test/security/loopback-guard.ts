// A tripwire for tests that feed hostile payloads to the real SDKs: any TCP connection to a host other
// than loopback (a response_url, a serviceUrl or a token endpoint an attacker chose) is refused
// before DNS or connect, and recorded so the test can fail on it.
import net from 'node:net';
import { isLoopback } from '../../src/bot/loopback.ts';

export interface LoopbackGuard {
  /** Hosts something tried to reach off loopback, in order. */
  readonly blocked: string[];
  restore(): void;
}

type Connect = (this: net.Socket, ...args: unknown[]) => net.Socket;

function hostOf(args: unknown[]): string | null {
  const first = args[0];
  if (Array.isArray(first)) return hostOf(first);
  if (typeof first === 'object' && first !== null) {
    const o = first as { host?: unknown; path?: unknown };
    if (typeof o.path === 'string' && o.host === undefined) return null; // a Unix socket
    return typeof o.host === 'string' ? o.host : 'localhost';
  }
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) return typeof args[1] === 'string' ? args[1] : 'localhost';
  return null;
}

export function guardLoopback(): LoopbackGuard {
  const blocked: string[] = [];
  const original = net.Socket.prototype.connect as unknown as Connect;
  const guarded: Connect = function (this: net.Socket, ...args: unknown[]) {
    const host = hostOf(args);
    if (host !== null && !isLoopback(host)) {
      blocked.push(host);
      process.nextTick(() => this.destroy(new Error(`test guard: refused a connection to ${host} (off loopback)`)));
      return this;
    }
    return original.apply(this, args);
  };
  net.Socket.prototype.connect = guarded as unknown as typeof net.Socket.prototype.connect;
  return {
    blocked,
    restore() {
      net.Socket.prototype.connect = original as unknown as typeof net.Socket.prototype.connect;
    },
  };
}
