import { AgentwireError } from '../../errors.js';

/** A JSON Schema object describing a tool's arguments (the shape LLM tool calls use). */
export interface JsonSchemaObject {
  readonly type: 'object';
  readonly properties: Readonly<Record<string, unknown>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean;
  readonly description?: string;
}

/** The acting user's own notebook: a tool can reach no one else's. */
export interface Notebook {
  add(text: string): Promise<{ id: string; text: string; createdAt: string }>;
  search(query: string): Promise<Array<{ id: string; text: string; createdAt: string }>>;
  /** Deletes these notes of the user (other ids are ignored); resolves how many went. */
  forget(ids: readonly string[]): Promise<number>;
}

export interface ToolContext {
  readonly userId: string;
  readonly notebook: Notebook;
  readonly signal: AbortSignal;
  /** The clock tools read; injectable so tests can pin time. */
  now(): Date;
}

export interface Tool<Args = Record<string, unknown>, Result = unknown> {
  readonly name: string;
  readonly description: string;
  readonly parameters: JsonSchemaObject;
  /**
   * Asks the user before every call (protocol 1.2, "Approvals"): `callTool` emits
   * `tool_approval_requested` and runs the tool only when approved.
   */
  readonly needsApproval?: boolean;
  /** Throws `AgentwireError('AW_ERR_TOOL_INPUT')` for bad arguments. */
  execute(args: Args, context: ToolContext): Promise<Result> | Result;
}

/** The tools an agent may call, by name. One registry serves the demo and LLM agents. */
export class ToolRegistry {
  private readonly tools = new Map<string, Tool>();

  constructor(tools: Iterable<Tool<never>> = []) {
    for (const tool of tools) this.register(tool);
  }

  register<Args, Result>(tool: Tool<Args, Result>): this {
    if (!/^[a-zA-Z0-9_-]{1,64}$/.test(tool.name)) {
      throw new AgentwireError('AW_ERR_CONFIG', `tool name "${tool.name}" must match [a-zA-Z0-9_-]{1,64}`);
    }
    if (this.tools.has(tool.name)) throw new AgentwireError('AW_ERR_CONFIG', `tool "${tool.name}" registered twice`);
    this.tools.set(tool.name, tool as unknown as Tool);
    return this;
  }

  get(name: string): Tool | undefined {
    return this.tools.get(name);
  }

  list(): Tool[] {
    return [...this.tools.values()];
  }

  async execute(name: string, args: unknown, context: ToolContext): Promise<unknown> {
    const tool = this.tools.get(name);
    if (!tool) throw new AgentwireError('AW_ERR_UNKNOWN_TOOL', name);
    if (typeof args !== 'object' || args === null || Array.isArray(args)) {
      throw new AgentwireError('AW_ERR_TOOL_INPUT', `${name} takes an object of arguments`);
    }
    return tool.execute(args as Record<string, unknown>, context);
  }
}
