import { ProducerClient } from 'agentwire/producer';

// An agent in another Node process: it streams a run into a user's thread over HTTP.
const producer = new ProducerClient({ url: process.env.AGENTWIRE_URL ?? 'http://127.0.0.1:8080', credential: process.env.AGENTWIRE_PRODUCER_KEY! });
const run = await producer.startRun({ userId: process.env.USER_ID ?? 'ada', title: 'Daily digest' }); // no text: agent-initiated
await run.thinking('Reading the overnight tickets');
await run.toolExecuting('call-1', 'tickets', { since: 'yesterday' });
await run.toolCompleted('call-1', { result: { open: 3 } });
for (const word of ['Three ', 'tickets ', 'are ', 'open.']) {
  if (await run.waitForStop(0)) break; // the user pressed stop: agentwire has ended the run already
  await run.delta(word);
}
if (!run.stopRequested) await run.complete();
console.log(`run ${run.runId} in thread ${run.threadId}`);
