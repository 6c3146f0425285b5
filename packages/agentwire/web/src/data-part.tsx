import { formatValue } from './dom.js';

/**
 * The page's renderers of `agent_data` parts (docs/protocol.md "Data and usage"; the names
 * and shapes are the page's convention, documented in docs/react.md "The chat page's data
 * parts"):
 * - `progress`: `{ value, max?, label? }` (max defaults to 100) — a progress bar; only the
 *   run's latest progress part is shown, since each one replaces the one before;
 * - `citations`: `[{ title, url }]` — a list of links, http(s) only;
 * - any other name (or a known name with an unexpected shape): its JSON, folded away.
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

export function DataPartView({ part }: { part: DataPart }) {
  if (part.name === 'progress') {
    const progress = progressOf(part.data);
    if (progress) return <ProgressView progress={progress} />;
  }
  if (part.name === 'citations') {
    const citations = citationsOf(part.data);
    if (citations) return <CitationsView citations={citations} />;
  }
  return (
    <details className="data data--raw" data-testid="data-part" data-name={part.name}>
      <summary className="data__name">{part.name}</summary>
      <pre>{formatValue(part.data)}</pre>
    </details>
  );
}

function ProgressView({ progress }: { progress: Progress }) {
  const percent = Math.round((progress.value / progress.max) * 100);
  return (
    <div className="data data--progress" data-testid="data-part" data-name="progress">
      <progress value={progress.value} max={progress.max} aria-label={progress.label ?? 'Progress'} />
      <span className="data__label" data-testid="progress-label">
        {progress.label ? `${progress.label} · ${percent}%` : `${percent}%`}
      </span>
    </div>
  );
}

function CitationsView({ citations }: { citations: Citation[] }) {
  return (
    <div className="data data--citations" data-testid="data-part" data-name="citations">
      <div className="data__name">Sources</div>
      <ol className="citations">
        {citations.map((citation, index) => (
          <li key={index}>
            <a href={citation.url} target="_blank" rel="noopener noreferrer" data-testid="citation">
              {citation.title}
            </a>
          </li>
        ))}
      </ol>
    </div>
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
