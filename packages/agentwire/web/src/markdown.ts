import DOMPurify from 'dompurify';
import { Marked } from 'marked';
import { h } from './dom.js';

/**
 * Model answers are Markdown. `marked` turns them into HTML and DOMPurify keeps only safe
 * markup: no scripts, no event-handler attributes, no `javascript:` URLs, no raw HTML that
 * could run. Raw HTML in the answer is shown as text, never as markup, because a model can be
 * made to echo an attacker's input.
 */
const marked = new Marked({ gfm: true, breaks: false, async: false });
marked.use({
  renderer: {
    // Raw HTML blocks and inline tags are shown literally (escaped), not interpreted.
    html({ text }) {
      return escapeHtml(text);
    },
  },
});

const purifier = DOMPurify(window);
purifier.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A') {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer');
  }
});

const ALLOWED_TAGS = ['p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'strong', 'em', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'input'];
const ALLOWED_ATTR = ['href', 'title', 'target', 'rel', 'align', 'type', 'checked', 'disabled', 'start', 'class'];

/** The answer as a sanitised Markdown fragment, with a copy button on each code block. */
export function renderMarkdown(source: string): HTMLElement {
  const html = marked.parse(source) as string;
  const fragment = purifier.sanitize(html, {
    ALLOWED_TAGS,
    ALLOWED_ATTR,
    ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|#)/i,
    RETURN_DOM_FRAGMENT: true,
  });
  const root = h('div', { class: 'markdown', 'data-testid': 'markdown' });
  root.append(fragment);
  // marked ends blocks with newlines; between blocks they are layout noise, and they would
  // make the answer's text differ from what the agent sent.
  for (const node of [...root.childNodes]) if (node.nodeType === Node.TEXT_NODE && !node.textContent?.trim()) node.remove();
  for (const pre of root.querySelectorAll('pre')) pre.replaceWith(codeBlock(pre));
  for (const table of root.querySelectorAll('table')) table.replaceWith(h('div', { class: 'markdown__table' }, table.cloneNode(true)));
  return root;
}

function codeBlock(pre: HTMLPreElement): HTMLElement {
  const text = pre.textContent ?? '';
  const button = h('button', { class: 'code__copy', type: 'button', 'data-testid': 'copy-code', 'aria-label': 'Copy code' }, 'Copy');
  button.addEventListener('click', () => {
    void navigator.clipboard?.writeText(text).then(
      () => (button.textContent = 'Copied'),
      () => (button.textContent = 'Select and copy'),
    );
  });
  return h('div', { class: 'code' }, button, pre.cloneNode(true));
}

function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}
