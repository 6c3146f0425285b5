// The event every system carries: the same JSON shape and size, with the emit time inside.
// Times are CLOCK_MONOTONIC microseconds (process.hrtime), one clock for every process
// of the machine, so client receipt minus emit is a latency without clock skew.

export const THINKING_FILLER =
  ' considering the calculator result and the next tool call before streaming the answer to the user ......';

export const nowMicros = () => Number(process.hrtime.bigint() / 1000n);

/** `@<emit time>@` then filler: parsed back by `emitTimeOf` without decoding the frame. */
export const thinkingText = (emitMicros) => `@${emitMicros}@${THINKING_FILLER}`;

/** Reads the emit time from a received frame (a Buffer), or -1 when it has none. */
export function emitTimeOf(frame) {
  const at = frame.indexOf(64); // '@'
  if (at < 0) return -1;
  let value = 0;
  for (let i = at + 1; i < frame.length; i++) {
    const c = frame[i];
    if (c === 64) return value;
    value = value * 10 + (c - 48);
  }
  return -1;
}

/**
 * What raw ws and Socket.IO send: the same shape as an agentwire `agent_thinking` event
 * (type, seq, ts, ids, data), so every system moves the same bytes.
 */
export function plainEvent(seq, threadId, runId, text) {
  return { type: 'agent_thinking', seq, ts: new Date().toISOString(), thread_id: threadId, run_id: runId, data: { text } };
}
