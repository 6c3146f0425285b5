/**
 * The rows of the first table under a markdown heading, as cells of trimmed text: the
 * docs' tables are the reference some source tables are checked against.
 */
export function tableUnder(markdown: string, heading: string): string[][] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => /^#+ /.test(line) && line.replace(/^#+ /, '').trim() === heading);
  if (start < 0) throw new Error(`no heading "${heading}"`);
  const rows: string[][] = [];
  let inTable = false;
  for (const line of lines.slice(start + 1)) {
    if (/^#+ /.test(line)) break;
    if (!line.trimStart().startsWith('|')) {
      if (inTable) break;
      continue;
    }
    inTable = true;
    rows.push(splitRow(line));
  }
  if (rows.length < 2) throw new Error(`no table under "${heading}"`);
  // The first row is the header, the second its `---` separator.
  return [rows[0]!, ...rows.slice(2)];
}

/** Cells of `| a | b |`; `\|` inside a cell is a literal bar. */
function splitRow(line: string): string[] {
  const inner = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  return inner.split(/(?<!\\)\|/).map((cell) => cell.trim().replace(/\\\|/g, '|'));
}
