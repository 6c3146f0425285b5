import { writeFileSync } from 'node:fs';
import { createTwoFilesPatch } from 'diff';
import { ts } from 'ts-morph';
import type { CheckResult } from './check.js';
import type { ImportFix } from './rules/context.js';

interface TextEdit {
  start: number;
  end: number;
  text: string;
  /** Creation order, so several insertions at one position keep their order. */
  seq: number;
}

export interface FileFix {
  file: string;
  rel: string;
  before: string;
  after: string;
  /** Import elements moved to their canonical module in this file. */
  fixed: number;
}

export interface FixPlan {
  files: FileFix[];
  fixed: number;
}

/** Where moved names end up: an import already in the file, or a new one guard adds. */
interface Destination {
  specifier: string;
  typeOnly: boolean;
  existing?: ts.ImportDeclaration;
  /** Set when the destination's clause is rewritten whole (a default import became a named one). */
  rewriteClause?: boolean;
  names: string[];
  localNames: Set<string>;
}

function quoteOf(declaration: ts.ImportDeclaration | ts.ExportDeclaration, file: ts.SourceFile): string {
  return (declaration.moduleSpecifier as ts.Expression).getText(file)[0] ?? "'";
}

function semicolonOf(declaration: ts.Statement, file: ts.SourceFile): string {
  return declaration.getText(file).trimEnd().endsWith(';') ? ';' : '';
}

function elementText(fix: ImportFix, typePrefix: boolean): string {
  const base = fix.exportName === fix.use.localName ? fix.exportName : `${fix.exportName} as ${fix.use.localName}`;
  return typePrefix && fix.use.typeOnly ? `type ${base}` : base;
}

function existingLocalNames(declaration: ts.ImportDeclaration): Set<string> {
  const names = new Set<string>();
  const clause = declaration.importClause;
  if (clause?.name) names.add(clause.name.text);
  if (clause?.namedBindings && ts.isNamedImports(clause.namedBindings)) {
    for (const element of clause.namedBindings.elements) names.add(element.name.text);
  }
  return names;
}

/** Edits removing some elements of an import/export list, leaving commas and layout of the rest intact. */
function removeElements(
  list: readonly ts.Node[],
  removed: ReadonlySet<ts.Node>,
  file: ts.SourceFile,
  push: (start: number, end: number, text: string) => void,
): void {
  let lastKept = -1;
  list.forEach((node, index) => {
    if (!removed.has(node)) lastKept = index;
  });
  for (let i = 0; i < list.length; i++) {
    const node = list[i] as ts.Node;
    if (!removed.has(node) || i > lastKept) continue;
    push(node.getStart(file), (list[i + 1] as ts.Node).getStart(file), '');
  }
  if (lastKept >= 0 && lastKept < list.length - 1) {
    push((list[lastKept] as ts.Node).getEnd(), (list[list.length - 1] as ts.Node).getEnd(), '');
  }
}

function statementRange(statement: ts.Statement, file: ts.SourceFile): [number, number] {
  let end = statement.getEnd();
  if (file.text.startsWith('\r\n', end)) end += 2;
  else if (file.text[end] === '\n') end += 1;
  return [statement.getStart(file), end];
}

function planFile(file: ts.SourceFile, fixes: readonly ImportFix[]): string {
  const edits: TextEdit[] = [];
  const push = (start: number, end: number, text: string) => edits.push({ start, end, text, seq: edits.length });
  const destinations: Destination[] = [];

  const findDestination = (specifier: string, typeOnly: boolean): Destination | undefined =>
    destinations.find((d) => d.specifier === specifier && (!d.typeOnly || typeOnly));

  // Imports the file already has are the first choice, so moved names merge into them.
  for (const statement of file.statements) {
    if (!ts.isImportDeclaration(statement) || !statement.importClause) continue;
    const clause = statement.importClause;
    if (clause.namedBindings && ts.isNamespaceImport(clause.namedBindings)) continue;
    destinations.push({
      specifier: (statement.moduleSpecifier as ts.StringLiteral).text,
      typeOnly: clause.isTypeOnly,
      existing: statement,
      names: [],
      localNames: existingLocalNames(statement),
    });
  }

  const addTo = (destination: Destination, fix: ImportFix) => {
    if (destination.localNames.has(fix.use.localName)) return;
    destination.localNames.add(fix.use.localName);
    destination.names.push(elementText(fix, !destination.typeOnly));
  };

  const byDeclaration = new Map<ts.ImportDeclaration | ts.ExportDeclaration, ImportFix[]>();
  for (const fix of fixes) {
    const list = byDeclaration.get(fix.use.declaration) ?? [];
    list.push(fix);
    byDeclaration.set(fix.use.declaration, list);
  }

  for (const [declaration, moving] of byDeclaration) {
    const quote = quoteOf(declaration, file);
    const semicolon = semicolonOf(declaration, file);
    const specifiers = new Set(moving.map((fix) => fix.specifier));
    const movingNodes = new Set(moving.map((fix) => fix.use.node));

    if (ts.isExportDeclaration(declaration)) {
      const elements = (declaration.exportClause as ts.NamedExports).elements;
      if (moving.length === elements.length && specifiers.size === 1) {
        const literal = declaration.moduleSpecifier as ts.StringLiteral;
        push(literal.getStart(file) + 1, literal.getEnd() - 1, [...specifiers][0] as string);
        continue;
      }
      if (moving.length === elements.length) push(...statementRange(declaration, file), '');
      else removeElements(elements, movingNodes, file, push);
      for (const specifier of specifiers) {
        const names = moving.filter((f) => f.specifier === specifier).map((f) => elementText(f, false));
        const typeOnly = declaration.isTypeOnly ? 'type ' : '';
        push(declaration.getStart(file), declaration.getStart(file), `export ${typeOnly}{ ${names.join(', ')} } from ${quote}${specifier}${quote}${semicolon}\n`);
      }
      continue;
    }

    const clause = declaration.importClause as ts.ImportClause;
    const named = clause.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
    const total = (clause.name ? 1 : 0) + (clause.namedBindings ? (named ? named.length : 1) : 0);
    const movesAll = moving.length === total;
    const allTypeOnly = moving.every((fix) => fix.use.typeOnly);

    if (movesAll && specifiers.size === 1) {
      const specifier = [...specifiers][0] as string;
      const elsewhere = findDestination(specifier, allTypeOnly);
      if (!elsewhere) {
        // Rewriting only the string keeps everything else in the statement byte for byte.
        const literal = declaration.moduleSpecifier as ts.StringLiteral;
        push(literal.getStart(file) + 1, literal.getEnd() - 1, specifier);
        const needsClause = moving.some((fix) => fix.use.kind === 'default' && fix.exportName !== 'default');
        destinations.push({
          specifier,
          typeOnly: clause.isTypeOnly,
          existing: declaration,
          rewriteClause: needsClause,
          names: needsClause ? moving.map((fix) => elementText(fix, !clause.isTypeOnly)) : [],
          localNames: new Set(moving.map((fix) => fix.use.localName)),
        });
        continue;
      }
      for (const fix of moving) addTo(elsewhere, fix);
      push(...statementRange(declaration, file), '');
      continue;
    }

    if (movesAll) push(...statementRange(declaration, file), '');
    else {
      if (clause.name && movingNodes.has(clause.name) && clause.namedBindings) {
        push(clause.name.getStart(file), clause.namedBindings.getStart(file), '');
      }
      if (named) {
        const keptNamed = named.filter((element) => !movingNodes.has(element));
        if (keptNamed.length > 0) removeElements(named, movingNodes, file, push);
        else if (clause.name && !movingNodes.has(clause.name) && clause.namedBindings) {
          push(clause.name.getEnd(), clause.namedBindings.getEnd(), '');
        }
      }
    }
    for (const specifier of specifiers) {
      const group = moving.filter((fix) => fix.specifier === specifier);
      const groupTypeOnly = group.every((fix) => fix.use.typeOnly);
      let destination = findDestination(specifier, groupTypeOnly);
      if (!destination) {
        destination = { specifier, typeOnly: groupTypeOnly, names: [], localNames: new Set() };
        destinations.push(destination);
        // Anchored before the statement it came from, so the new import sits where the old one was.
        const anchor = declaration.getStart(file);
        const created = destination;
        edits.push({
          start: anchor,
          end: anchor,
          seq: edits.length,
          get text() {
            const type = created.typeOnly ? 'type ' : '';
            return `import ${type}{ ${created.names.join(', ')} } from ${quote}${specifier}${quote}${semicolon}\n`;
          },
        });
      }
      for (const fix of group) addTo(destination, fix);
    }
  }

  for (const destination of destinations) {
    const declaration = destination.existing;
    if (!declaration || destination.names.length === 0) continue;
    const clause = declaration.importClause as ts.ImportClause;
    if (destination.rewriteClause) {
      const start = clause.isTypeOnly ? clause.getStart(file) + 'type'.length + 1 : clause.getStart(file);
      push(start, clause.getEnd(), `{ ${destination.names.join(', ')} }`);
      continue;
    }
    const bindings = clause.namedBindings;
    if (bindings && ts.isNamedImports(bindings) && bindings.elements.length > 0) {
      const last = bindings.elements[bindings.elements.length - 1] as ts.ImportSpecifier;
      const text = bindings.getText(file);
      if (text.includes('\n')) {
        const lineStart = file.text.lastIndexOf('\n', last.getStart(file)) + 1;
        const indent = /^\s*/.exec(file.text.slice(lineStart, last.getStart(file)))?.[0] ?? '  ';
        push(last.getEnd(), last.getEnd(), destination.names.map((name) => `,\n${indent}${name}`).join(''));
      } else {
        push(last.getEnd(), last.getEnd(), destination.names.map((name) => `, ${name}`).join(''));
      }
    } else if (bindings && ts.isNamedImports(bindings)) {
      push(bindings.getStart(file), bindings.getEnd(), `{ ${destination.names.join(', ')} }`);
    } else if (clause.name) {
      push(clause.name.getEnd(), clause.name.getEnd(), `, { ${destination.names.join(', ')} }`);
    }
  }

  return applyEdits(file.text, edits);
}

/** Applies back to front; an overlap would mean two fixes disagree, which must never pass silently. */
function applyEdits(text: string, edits: TextEdit[]): string {
  const ordered = [...edits].sort((a, b) => b.start - a.start || b.end - a.end || b.seq - a.seq);
  let result = text;
  let floor = Number.POSITIVE_INFINITY;
  for (const edit of ordered) {
    if (edit.end > floor) throw new Error(`internal error: overlapping fix edits at offset ${edit.start}`);
    result = result.slice(0, edit.start) + edit.text + result.slice(edit.end);
    floor = edit.start;
  }
  return result;
}

/** Plans every rewrite against the untouched sources first; nothing is written here. */
export function planFixes(result: CheckResult): FixPlan {
  const byFile = new Map<ts.SourceFile, ImportFix[]>();
  for (const fix of result.fixes) {
    const list = byFile.get(fix.facts.file) ?? [];
    list.push(fix);
    byFile.set(fix.facts.file, list);
  }
  const files: FileFix[] = [];
  for (const [file, fixes] of byFile) {
    const after = planFile(file, fixes);
    if (after !== file.text) {
      files.push({ file: file.fileName, rel: fixes[0]?.facts.rel ?? file.fileName, before: file.text, after, fixed: fixes.length });
    }
  }
  files.sort((a, b) => a.rel.localeCompare(b.rel));
  return { files, fixed: files.reduce((sum, f) => sum + f.fixed, 0) };
}

export function applyFixPlan(plan: FixPlan): void {
  for (const file of plan.files) writeFileSync(file.file, file.after);
}

export function fixPlanDiff(plan: FixPlan): string {
  return plan.files.map((file) => createTwoFilesPatch(`a/${file.rel}`, `b/${file.rel}`, file.before, file.after, undefined, undefined, { context: 3 })).join('');
}
