import { useLayoutEffect, useRef } from 'react';
import { renderMarkdown } from './markdown.js';

/**
 * A Markdown answer, sanitised by markdown.ts (marked + DOMPurify). The sanitised DOM is
 * mounted as built, never as an HTML string, so no markup from the model is ever parsed
 * by React or by `innerHTML`.
 */
export function MarkdownView({ source }: { source: string }) {
  const slot = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    slot.current?.replaceChildren(renderMarkdown(source));
  }, [source]);
  return <div className="answer" data-testid="answer" ref={slot} />;
}
