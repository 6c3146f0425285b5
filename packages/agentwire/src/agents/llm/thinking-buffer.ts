/**
 * Coalesces streamed reasoning text into readable `agent_thinking` events. Endpoints send
 * reasoning a few characters per chunk; one event per chunk would flood the user's stream
 * with fragments, so pieces are held until a sentence or line ends (or the text grows
 * long) and flushed whole. Whatever is held is flushed before anything else is reported.
 */
export class ThinkingBuffer {
  private held = '';

  constructor(
    private readonly emit: (text: string) => Promise<unknown>,
    private readonly minChars = 80,
    private readonly maxChars = 600,
  ) {}

  async add(piece: string): Promise<void> {
    this.held += piece;
    if (this.held.length >= this.maxChars || (this.held.length >= this.minChars && endsThought(this.held))) await this.flush();
  }

  async flush(): Promise<void> {
    const text = this.held.trim();
    this.held = '';
    if (text) await this.emit(text);
  }
}

function endsThought(text: string): boolean {
  // Punctuation counts only once whitespace follows it, so "3.14" split after "3." holds.
  return /(?:[.!?:]\s|\n)\s*$/.test(text);
}
