/** One tool call as the model asked for it, once its streamed pieces are joined. */
export interface AssembledToolCall {
  /** The model's id for the call; some servers send none, so one is made up. */
  readonly id: string;
  readonly name: string;
  /** The raw argument text, JSON when the model behaved. */
  readonly arguments: string;
}

/** The shape of `choices[0].delta.tool_calls[i]` in a `chat.completion.chunk`. */
export interface ToolCallDelta {
  index?: number;
  id?: string | null;
  function?: { name?: string | null; arguments?: string | null } | null;
}

interface Pending {
  id: string;
  name: string;
  args: string;
}

/**
 * Joins streamed tool-call deltas into whole calls. The endpoint sends each call's name
 * and id in its first delta and the argument text in arbitrary pieces (cut mid-JSON)
 * across later chunks; several calls of one turn interleave, told apart only by `index`.
 */
export class ToolCallAssembler {
  private readonly calls = new Map<number, Pending>();

  add(delta: ToolCallDelta): void {
    // A server that omits `index` sends one call at a time: treat it as the first.
    const index = delta.index ?? 0;
    let call = this.calls.get(index);
    if (!call) this.calls.set(index, (call = { id: '', name: '', args: '' }));
    if (delta.id) call.id = delta.id;
    const fn = delta.function;
    // The name comes whole in the call's first delta; some servers repeat it in every one.
    if (fn?.name && !call.name) call.name = fn.name;
    if (fn?.arguments) call.args += fn.arguments;
  }

  get size(): number {
    return this.calls.size;
  }

  /** The calls in index order; `makeId` names a call whose id the endpoint never sent. */
  finish(makeId: () => string): AssembledToolCall[] {
    return [...this.calls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, call]) => ({ id: call.id || makeId(), name: call.name, arguments: call.args }));
  }
}
