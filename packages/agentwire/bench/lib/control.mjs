// Line-delimited JSON control channel between the orchestrator and its child processes
// (servers and the load client). Children read commands on stdin and answer on stdout;
// stdout carries nothing else, so a stray log line is a bug worth seeing.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** Child side: dispatch `{ id, cmd, ...args }` lines to handlers, answer `{ id, ok, result | error }`. */
export function serveControl(handlers) {
  const lines = createInterface({ input: process.stdin });
  lines.on('line', async (line) => {
    const message = JSON.parse(line);
    const handler = handlers[message.cmd];
    try {
      if (!handler) throw new Error(`unknown command ${message.cmd}`);
      const result = await handler(message);
      if (message.id !== undefined) emit({ id: message.id, ok: true, result });
    } catch (error) {
      if (message.id !== undefined) emit({ id: message.id, ok: false, error: String(error?.stack ?? error) });
    }
  });
  // The orchestrator went away: never linger as an orphan holding ports and CPU.
  lines.on('close', () => process.exit(0));
}

/** Child side: an unsolicited notification (`{ event, ... }`). */
export function emit(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/**
 * Parent side: starts `node <script>` under bash so the descriptor limit can be raised to
 * the hard limit first (10,000 sockets need more than the usual soft 1,024).
 */
export function spawnChild(script, { nodeFlags = [], args = [], env, onEvent = () => {}, label = script, nofile } = {}) {
  // BENCH_NICE (e.g. -10) raises the bench processes' priority on a machine shared with other
  // work; `nice` warns and runs the command unchanged where that is not permitted.
  const nice = /^-?\d+$/.test(process.env.BENCH_NICE ?? '') ? `nice -n ${process.env.BENCH_NICE} ` : '';
  // `nofile` (the idle100k workload) raises the hard limit too, which needs CAP_SYS_RESOURCE;
  // the workload checks first that it can (lib/kernel-limits.mjs).
  const limit = nofile ? `ulimit -n ${nofile} || exit 97` : 'ulimit -n $(ulimit -Hn) 2>/dev/null';
  const command = `${limit}; exec ${nice}node ${nodeFlags.join(' ')} ${script} ${args.join(' ')}`;
  const child = spawn('bash', ['-c', command], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  const pending = new Map();
  let nextId = 1;
  let exited = false;
  const exitedPromise = new Promise((resolve) => child.once('exit', (code, signal) => {
    exited = true;
    for (const { reject, timer } of pending.values()) {
      clearTimeout(timer);
      reject(new Error(`${label} exited (${code ?? signal}) with a command pending`));
    }
    pending.clear();
    resolve();
  }));
  createInterface({ input: child.stdout }).on('line', (line) => {
    let message;
    try {
      message = JSON.parse(line);
    } catch {
      process.stderr.write(`[${label}] ${line}\n`);
      return;
    }
    if (message.id !== undefined) {
      const entry = pending.get(message.id);
      if (!entry) return;
      pending.delete(message.id);
      clearTimeout(entry.timer);
      if (message.ok) entry.resolve(message.result);
      else entry.reject(new Error(`${label} ${entry.cmd}: ${message.error}`));
    } else {
      onEvent(message);
    }
  });
  return {
    pid: child.pid,
    call(cmd, args = {}, timeoutMs = 60_000) {
      if (exited) return Promise.reject(new Error(`${label} is not running`));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${label} ${cmd}: no answer within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, { resolve, reject, timer, cmd });
        child.stdin.write(`${JSON.stringify({ id, cmd, ...args })}\n`);
      });
    },
    /** Fire and forget (acks relayed from the client). */
    tell(cmd, args = {}) {
      if (!exited) child.stdin.write(`${JSON.stringify({ cmd, ...args })}\n`);
    },
    /** Closes stdin (the child exits on its own), then kills it if it does not within 5 s. */
    async stop() {
      if (exited) return;
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exitedPromise;
      clearTimeout(timer);
    },
  };
}
