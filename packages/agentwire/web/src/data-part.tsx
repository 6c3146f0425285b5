import { citationsOf, progressOf, type Citation, type DataPart, type Progress } from './data-shapes.js';
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
