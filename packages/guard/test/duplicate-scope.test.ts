import { describe, expect, it } from 'vitest';
import { checkDir, makeProject, summarise } from './helpers.js';

const FILES = {
  'src/server/types.ts': `export interface Transport {\n  send(text: string): void;\n}\n`,
  // The canonical class's own hierarchy: its base implements the guarded interface.
  'src/server/base-transport.ts': `import type { Transport } from './types.js';\nexport abstract class BaseTransport implements Transport {\n  abstract send(text: string): void;\n}\n`,
  'src/server/session.ts': `import { BaseTransport } from './base-transport.js';\nexport class Session extends BaseTransport {\n  readonly id = 's';\n  send(_text: string): void {}\n  close(): void {}\n}\nexport function createSession(): Session {\n  return new Session();\n}\n`,
  'src/server/index.ts': `export { Session, createSession } from './session.js';\nexport type { Transport } from './types.js';\n`,
  // A client namesake with an unrelated shape: not a copy.
  'src/client/session.ts': `export class Session {\n  token = '';\n  user = '';\n}\nexport function createSession(token: string): { token: string } {\n  return { token };\n}\n`,
  // A real copy, but in the client, outside the configured scope of Session.
  'src/client/copy.ts': `export class Session {\n  readonly id = 'c';\n  send(_text: string): void {}\n  close(): void {}\n}\n`,
  // A real copy inside the scope: reported.
  'src/server/legacy/session.ts': `export class Session {\n  readonly id = 'l';\n  send(_text: string): void {}\n  close(): void {}\n}\n`,
  // Another implementation of the guarded interface, in scope: reported.
  'src/server/legacy/socket.ts': `import type { Transport } from '../index.js';\nexport class SocketTransport implements Transport {\n  send(_text: string): void {}\n}\n`,
  // Implements it outside the interface's scope: not reported.
  'src/client/fake.ts': `import type { Transport } from '../server/index.js';\nexport class FakeTransport implements Transport {\n  send(_text: string): void {}\n}\n`,
};
const SERVER = { module: 'src/server/index.ts', internal: ['src/server/**'], scope: ['src/server/**'] };
const CONFIG = { symbols: { Session: SERVER, createSession: SERVER, Transport: SERVER } };

describe('duplicate-implementation is scoped, not global by name (issue 17 point 2)', () => {
  const result = checkDir(makeProject(FILES, CONFIG));
  const found = summarise(result).filter((line) => line.startsWith('duplicate-implementation '));

  it('reports structural copies and other implementations inside the scope only', () => {
    expect(found).toEqual([
      'duplicate-implementation src/server/legacy/session.ts:1:14 Session',
      'duplicate-implementation src/server/legacy/socket.ts:2:14 SocketTransport',
    ]);
  });

  it('never reports the canonical class hierarchy, namesakes with another shape, or anything outside the scope', () => {
    for (const file of ['src/server/base-transport.ts', 'src/client/session.ts', 'src/client/copy.ts', 'src/client/fake.ts']) {
      expect(found.some((line) => line.includes(file))).toBe(false);
    }
  });

  it('without a scope, a namesake with an unrelated shape is still not a copy', () => {
    const unscoped = { module: 'src/server/index.ts', internal: ['src/server/**'] };
    const all = checkDir(makeProject(FILES, { symbols: { Session: unscoped, createSession: unscoped, Transport: unscoped } }));
    expect(summarise(all).filter((line) => line.startsWith('duplicate-implementation '))).toEqual([
      'duplicate-implementation src/client/copy.ts:1:14 Session',
      'duplicate-implementation src/client/fake.ts:2:14 FakeTransport',
      'duplicate-implementation src/server/legacy/session.ts:1:14 Session',
      'duplicate-implementation src/server/legacy/socket.ts:2:14 SocketTransport',
    ]);
  });
});
