import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The layers of docs/architecture.md hold only if no folder of src/ depends, through any
// chain of imports, on itself: a cycle between folders is an upward import somewhere.
// Every relative import, `export ... from`, `import type` and `import()` of src/**/*.ts
// counts; each folder of src/ is one node, each top-level file (errors.ts, index.ts...) too.
const srcDir = fileURLToPath(new URL('../../src/', import.meta.url));

type Graph = Map<string, Map<string, string>>; // node -> dependency -> one file-level example

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

function nodeOf(file: string): string {
  const parts = relative(srcDir, file).split(sep);
  return parts.length > 1 ? `${parts[0]}/` : parts[0]!;
}

function folderGraph(): Graph {
  const graph: Graph = new Map();
  for (const file of sourceFiles(srcDir)) {
    const from = nodeOf(file);
    const edges = graph.get(from) ?? new Map<string, string>();
    graph.set(from, edges);
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName: specifier } of importedFiles) {
      if (!specifier.startsWith('.')) continue;
      const target = resolve(dirname(file), specifier).replace(/\.js$/, '.ts');
      const to = nodeOf(target);
      if (to !== from && !edges.has(to)) edges.set(to, `${relative(srcDir, file)} imports ${specifier}`);
    }
  }
  return graph;
}

/** One cycle per strongly connected component of more than one node (Tarjan), as a path. */
function cycles(graph: Graph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    for (const next of graph.get(node)?.keys() ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (stack.includes(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      component.push(member);
    } while (member !== node);
    if (component.length > 1) found.push(cycleWithin(graph, new Set(component), node));
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return found;
}

/** A shortest path from `start` back to itself inside one component (breadth first). */
function cycleWithin(graph: Graph, component: Set<string>, start: string): string[] {
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const next of graph.get(node)?.keys() ?? []) {
      if (!component.has(next)) continue;
      if (next === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
        return [...path, start];
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start];
}

function describeCycle(graph: Graph, cycle: string[]): string {
  const steps = cycle.slice(1).map((to, i) => `  ${cycle[i]} -> ${to}   (${graph.get(cycle[i]!)!.get(to)})`);
  return [`cycle ${cycle.join(' -> ')}`, ...steps].join('\n');
}

describe('import graph of src/ folders', () => {
  const graph = folderGraph();

  it('sees the folders and their imports', () => {
    expect([...graph.keys()]).toEqual(expect.arrayContaining(['gateway/', 'protocol/', 'bus/', 'index.ts']));
    expect(graph.get('gateway/')?.has('protocol/')).toBe(true);
  });

  it('has no cycle between folders', () => {
    expect(cycles(graph).map((cycle) => describeCycle(graph, cycle))).toEqual([]);
  });

  it('finds and prints a cycle when there is one', () => {
    const example: Graph = new Map([
      ['agents/', new Map([['gateway/', 'agents/runner.ts imports ../gateway/user-scope.js']])],
      ['gateway/', new Map([['agents/', 'gateway/gateway.ts imports ../agents/runner.js'], ['protocol/', 'x']])],
      ['protocol/', new Map()],
    ]);
    expect(cycles(example).map((cycle) => describeCycle(example, cycle))).toEqual([
      [
        'cycle agents/ -> gateway/ -> agents/',
        '  agents/ -> gateway/   (agents/runner.ts imports ../gateway/user-scope.js)',
        '  gateway/ -> agents/   (gateway/gateway.ts imports ../agents/runner.js)',
      ].join('\n'),
    ]);
  });
});
