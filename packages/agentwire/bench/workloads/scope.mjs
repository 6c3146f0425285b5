// In-process: the cost of `gateway.scopeFor(ctx)` for a new user plus its first
// `scope.notifierFor(...)`, averaged over many iterations.
// BENCH_AGENTWIRE_ENTRY points at another build's dist/index.js, for before/after comparisons.
const { createDemoAgent, createGateway, userContext } = await import(process.env.BENCH_AGENTWIRE_ENTRY ?? 'agentwire');

export const SCOPE = { warmup: 5_000, iterations: 50_000 };

export async function scopeRuns({ runs, secret, log }) {
  const gateway = createGateway({ auth: { jwt: { secret } }, agents: [createDemoAgent({ delayMs: 0 })], shutdownDrainMs: 0 });
  const results = [];
  try {
    createScopes(gateway, 'warm', SCOPE.warmup);
    for (let run = 0; run < runs; run++) {
      const micros = createScopes(gateway, `r${run}_`, SCOPE.iterations);
      log(`  scope + first notifier run ${run + 1}/${runs}: ${micros.toFixed(2)} us`);
      results.push({ microsPerScope: micros });
    }
  } finally {
    await gateway.close();
  }
  return results;
}

function createScopes(gateway, prefix, count) {
  const ids = Array.from({ length: count }, (_, i) => `${prefix}${i}`);
  const startedAt = performance.now();
  let sink = 0;
  for (let i = 0; i < count; i++) {
    const notifier = gateway.scopeFor(userContext(ids[i])).notifierFor(`thr_${i}`, `run_${i}`);
    sink += notifier.runId.length;
  }
  const elapsedMs = performance.now() - startedAt;
  if (sink === 0) throw new Error('unreachable: keeps the loop from being optimised away');
  return (elapsedMs * 1000) / count;
}
