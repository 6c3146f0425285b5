import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientAddress } from '../../src/auth/client-address.js';
import { originAllowed } from '../../src/auth/origin-policy.js';
import { ConnectGate } from '../../src/gateway/connect-gate.js';
import { DEFAULT_CONNECT_LIMITS } from '../../src/gateway/connect-limits.js';

const request = (remoteAddress: string, forwarded?: string) =>
  ({ socket: { remoteAddress }, headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded } }) as unknown as IncomingMessage;

describe('origin policy and client address (issue 12, browser-facing and admission control)', () => {
  it('finding: an Origin outside the allow-list is refused; no Origin, "*", exact matches and "self" pass', () => {
    const list = ['https://chat.example.com', 'self'];
    expect(originAllowed('https://evil.example', list, 'chat.example.com')).toBe(false);
    expect(originAllowed('https://chat.example.com', list, 'other.host')).toBe(true);
    expect(originAllowed('HTTPS://CHAT.EXAMPLE.COM/', list, undefined)).toBe(true);
    expect(originAllowed('http://127.0.0.1:8080', ['self'], '127.0.0.1:8080')).toBe(true);
    expect(originAllowed('http://127.0.0.1:9999', ['self'], '127.0.0.1:8080')).toBe(false);
    expect(originAllowed(undefined, list, undefined)).toBe(true);
    expect(originAllowed('https://any.example', ['*'], undefined)).toBe(true);
    expect(originAllowed('https://any.example', undefined, undefined)).toBe(true);
    expect(originAllowed('null', ['https://chat.example.com'], undefined)).toBe(false);
  });

  it('finding: X-Forwarded-For decides the address only with trustProxy, and only its last entry', () => {
    expect(clientAddress(request('10.0.0.9', '1.2.3.4'), false)).toBe('10.0.0.9');
    expect(clientAddress(request('10.0.0.9', '6.6.6.6, 1.2.3.4'), true)).toBe('1.2.3.4');
    expect(clientAddress(request('10.0.0.9'), true)).toBe('10.0.0.9');
    expect(clientAddress(request('10.0.0.9', ' , '), true)).toBe('10.0.0.9');
  });

  it('finding: the connect gate refills its rate and forgets idle addresses (bounded state)', () => {
    const gate = new ConnectGate({ ...DEFAULT_CONNECT_LIMITS, connectsPerSecondPerAddress: 2 }, 0);
    expect(gate.enter('a', 0).ok).toBe(true);
    expect(gate.enter('a', 1).ok).toBe(true);
    expect(gate.enter('a', 2)).toMatchObject({ ok: false, status: 429 });
    expect(gate.enter('a', 600).ok).toBe(true);
    expect(gate.enter('b', 700).ok).toBe(true);
    const socket = new EventEmitter();
    gate.countUntilClose(socket, 'b');
    expect(gate.openCount).toBe(4);
    // Counted once: a second 'close' releases nothing more.
    socket.emit('close', false);
    socket.emit('close', false);
    expect(gate.openCount).toBe(3);
  });
});
