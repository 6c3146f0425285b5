/**
 * The shapes of the `agent_data` names the chat page renders (docs/react.md, "The chat
 * page (protocol 1.2)"). An agent's data is untrusted input: anything not of the expected
 * shape is refused here (undefined), and the page then shows it as plain JSON.
 */
export interface DataPart {
  readonly name: string;
  readonly data: unknown;
}

export interface Progress {
  value: number;
  max: number;
  label: string | undefined;
}

export interface Citation {
  title: string;
  url: string;
}

/** `data` as a progress value, or undefined when it does not have that shape. */
export function progressOf(data: unknown): Progress | undefined {
  if (!isRecord(data) || !isFiniteNumber(data.value)) return undefined;
  const max = data.max === undefined ? 100 : data.max;
  if (!isFiniteNumber(max) || max <= 0) return undefined;
  const label = typeof data.label === 'string' ? data.label : undefined;
  return { value: Math.min(Math.max(data.value, 0), max), max, label };
}

/** `data` as citations (entries without a title or an http(s) URL are dropped), or undefined when it is not a list. */
export function citationsOf(data: unknown): Citation[] | undefined {
  if (!Array.isArray(data)) return undefined;
  return data.flatMap((entry: unknown) => {
    if (!isRecord(entry) || typeof entry.url !== 'string') return [];
    const url = safeHttpUrl(entry.url);
    if (!url) return [];
    const title = typeof entry.title === 'string' && entry.title.trim() ? entry.title : url;
    return [{ title, url }];
  });
}

/** The URL when it is absolute http(s); an agent's data is untrusted (no `javascript:`, no relative paths). */
export function safeHttpUrl(raw: string): string | undefined {
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
