import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Project } from 'ts-morph';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../src/check.js';
import { checkDir, copyFixture, FIXTURE, runCli, summarise } from './helpers.js';

const EXPECTED = [
  'duplicate-implementation packages/app/src/chat/chat-connection-manager.ts:3:14 ChatConnectionManager',
  'non-canonical-import packages/app/src/chat/make-manager.ts:1:10 WebSocketManager',
  'factory-bypass packages/app/src/chat/make-manager.ts:3:47 WebSocketManager',
  'non-canonical-import packages/app/src/legacy/factory.ts:1:28 WebSocketManager',
  'duplicate-implementation packages/app/src/legacy/factory.ts:4:17 createWebSocketManager',
  'factory-bypass packages/app/src/legacy/factory.ts:5:10 WebSocketManager',
  'duplicate-implementation packages/app/src/legacy/socket-manager.ts:3:14 SocketManager',
  'deprecated-path packages/app/src/legacy/socket-manager.ts:4:28 getWebSocketManager',
  'duplicate-implementation packages/app/src/legacy/websocket-manager.ts:4:14 WebSocketManager',
  'non-canonical-import packages/app/src/notify/notifier.ts:3:10 WebSocketManager',
  'shared-state packages/app/src/notify/notifier.ts:5:7 listeners',
  'shared-state packages/app/src/notify/notifier.ts:6:7 manager',
  'deprecated-path packages/app/src/notify/notifier.ts:11:14 getWebSocketManager',
  'non-canonical-import packages/app/src/rooms/room-manager.ts:1:10 WebSocketManager',
  'non-canonical-import packages/app/src/shared/ws.ts:2:10 WebSocketManager',
  'shared-state packages/ws/src/singleton.ts:4:5 instance',
  'factory-bypass packages/ws/src/singleton.ts:7:16 WebSocketManager',
];

describe('the sprawl fixture (six managers, four factories, a singleton, five import paths)', () => {
  let before: CheckResult;

  beforeAll(() => {
    before = checkDir(FIXTURE);
  });

  it('finds every planted violation and nothing else', () => {
    expect(summarise(before)).toEqual(EXPECTED);
  });

  it('scores 11 of 28 usages as canonical', () => {
    expect(before.score.checked).toBe(28);
    expect(before.score.violations).toBe(17);
    expect(before.score.overall).toBeCloseTo(11 / 28);
    const byRule = Object.fromEntries(before.score.rules.map((r) => [r.rule, `${r.checked - r.violations}/${r.checked}`]));
    expect(byRule).toEqual({
      'non-canonical-import': '6/11',
      'duplicate-implementation': '2/6',
      'factory-bypass': '1/4',
      'shared-state': '0/3',
      'deprecated-path': '2/4',
    });
  });

  it('--fix migrates every import, keeps the project type-checking, and raises the score to 16/28', () => {
    const dir = copyFixture();
    const fixed = runCli(['--fix', '--format', 'json'], dir);
    expect(fixed.stderr).toContain('fixed 5 imports in 5 files');
    expect(fixed.code).toBe(1);

    const read = (path: string) => readFileSync(join(dir, path), 'utf8');
    expect(read('packages/app/src/chat/make-manager.ts')).toBe(
      "import { WebSocketManager as Manager } from '@fixture/ws';\n\nexport const makeChatManager = (): Manager => new Manager(5);\n",
    );
    // Merged into the import of the canonical module the file already had; the comment stays.
    expect(read('packages/app/src/notify/notifier.ts').split('\n').slice(0, 3)).toEqual([
      '// Notifications for every connected user.',
      "import { createWebSocketManager, getWebSocketManager, WebSocketManager } from '@fixture/ws';",
      '',
    ]);
    // Only the guarded name moves; the rest of the statement stays where it was.
    expect(read('packages/app/src/legacy/factory.ts').split('\n').slice(0, 2)).toEqual([
      "import { WebSocketManager } from '@fixture/ws';",
      "import { MANAGER_DEFAULTS } from '../../../ws/src/manager.js';",
    ]);
    expect(read('packages/app/src/shared/ws.ts')).toContain("export { WebSocketManager } from '@fixture/ws';");
    expect(read('packages/app/src/rooms/room-manager.ts')).toMatch(/^import \{ WebSocketManager \} from '@fixture\/ws';\n/);

    const project = new Project({ tsConfigFilePath: join(dir, 'tsconfig.json') });
    const diagnostics = project.getPreEmitDiagnostics().map((d) => project.formatDiagnosticsWithColorAndContext([d]));
    expect(diagnostics).toEqual([]);

    const after = checkDir(dir);
    expect(after.violations.filter((v) => v.rule === 'non-canonical-import')).toEqual([]);
    expect(summarise(after)).toHaveLength(EXPECTED.length - 5);
    expect(after.score.overall).toBeCloseTo(16 / 28);
    expect(after.score.rules.find((r) => r.rule === 'non-canonical-import')?.score).toBe(1);

    const again = runCli(['--fix'], dir);
    expect(again.stderr).toContain('fixed 0 imports in 0 files');
  });

  it('--dry-run prints the diff and writes nothing', () => {
    const dir = copyFixture();
    const original = readFileSync(join(dir, 'packages/app/src/notify/notifier.ts'), 'utf8');
    const dry = runCli(['--dry-run'], dir);
    expect(dry.stdout).toContain("-import { WebSocketManager } from '../../../ws/src/index.js';");
    expect(dry.stdout).toContain("+import { createWebSocketManager, getWebSocketManager, WebSocketManager } from '@fixture/ws';");
    expect(dry.stderr).toContain('would fix 5 imports in 5 files');
    expect(readFileSync(join(dir, 'packages/app/src/notify/notifier.ts'), 'utf8')).toBe(original);
  });
});
