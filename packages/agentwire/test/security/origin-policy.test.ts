import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientAddress } from '../../src/auth/client-address.js';
import { originAllowed, parseAllowedOrigins } from '../../src/auth/origin-policy.js';

// The two helpers the HTTP API and the upgrade share (issue 12, "Browser-facing" and "Admission control").
describe('originAllowed', () => {
  it('finding: a request without Origin (not a browser) passes; no list (library default) allows any', () => {
    expect(originAllowed(undefined, [], 'gw.example')).toBe(true);
    expect(originAllowed('https://evil.example', undefined, 'gw.example')).toBe(true);
  });

  it("finding: with a list, only the server's own origin (its Host), the listed ones, or * pass", () => {
    expect(originAllowed('https://gw.example', [], 'gw.example')).toBe(true);
    expect(originAllowed('http://127.0.0.1:8080', [], '127.0.0.1:8080')).toBe(true);
    expect(originAllowed('http://127.0.0.1:9999', [], '127.0.0.1:8080')).toBe(false);
    expect(originAllowed('https://evil.example', [], 'gw.example')).toBe(false);
    expect(originAllowed('https://chat.example', ['https://chat.example'], 'gw.example')).toBe(true);
    expect(originAllowed('https://chat.example.evil', ['https://chat.example'], 'gw.example')).toBe(false);
    expect(originAllowed('null', [], 'gw.example')).toBe(false);
    expect(originAllowed('https://anything.example', ['*'], 'gw.example')).toBe(true);
  });

  it('parses AGENTWIRE_ALLOWED_ORIGINS and names it on a bad entry', () => {
    expect(parseAllowedOrigins(' https://a.example , http://localhost:5173/,*', 'V')).toEqual(['https://a.example', 'http://localhost:5173', '*']);
    expect(parseAllowedOrigins('', 'V')).toEqual([]);
    for (const bad of ['a.example', 'https://a.example/path', 'ftp://a.example', 'https://u:p@a.example']) {
      expect(() => parseAllowedOrigins(bad, 'AGENTWIRE_ALLOWED_ORIGINS')).toThrow('AGENTWIRE_ALLOWED_ORIGINS');
    }
  });
});

describe('clientAddress', () => {
  const request = (remoteAddress: string, forwarded?: string) =>
    ({ socket: { remoteAddress }, headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded } }) as unknown as IncomingMessage;

  it('finding: X-Forwarded-For is believed only with trustProxy, and then only its last entry', () => {
    expect(clientAddress(request('10.0.0.9', '1.2.3.4'), false)).toBe('10.0.0.9');
    expect(clientAddress(request('10.0.0.9', 'spoofed, 1.2.3.4'), true)).toBe('1.2.3.4');
    expect(clientAddress(request('10.0.0.9', 'not an address'), true)).toBe('10.0.0.9');
    expect(clientAddress(request('::ffff:10.0.0.9'), false)).toBe('10.0.0.9');
  });
});
