import { ts } from 'ts-morph';
import { relativePath } from './paths.js';
import { resolveAlias, type Targets } from './targets.js';

export type ImportKind = 'named' | 'default' | 'reexport' | 'namespace';

/** One way a file brings in a tracked symbol: an import or re-export element, or `ns.X`. */
export interface ImportUse {
  kind: ImportKind;
  declaration: ts.ImportDeclaration | ts.ExportDeclaration;
  /** The node reported and rewritten: specifier, default name, or `ns.X` access. */
  node: ts.Node;
  localName: string;
  specifierText: string;
  /** The file the specifier resolves to, if any. */
  moduleFile: string | undefined;
  typeOnly: boolean;
  target: ts.Symbol;
}

export interface Reference {
  node: ts.Identifier;
  target: ts.Symbol;
}

export interface NewUse {
  node: ts.NewExpression;
  target: ts.Symbol;
}

export interface FileFacts {
  file: ts.SourceFile;
  rel: string;
  imports: ImportUse[];
  /** Identifiers (outside import/export clauses and declarations) resolving to tracked symbols. */
  references: Reference[];
  news: NewUse[];
  /** Top-level classes and functions worth checking for duplicates. */
  declarations: ts.Declaration[];
}

function isTracked(targets: Targets, symbol: ts.Symbol): boolean {
  return (
    targets.guarded.has(symbol) ||
    targets.factoryOnly.has(symbol) ||
    targets.deprecated.has(symbol) ||
    targets.replacements.has(symbol)
  );
}

function moduleFileOf(checker: ts.TypeChecker, specifier: ts.Expression): string | undefined {
  const declaration = checker.getSymbolAtLocation(specifier)?.valueDeclaration;
  return declaration && ts.isSourceFile(declaration) ? declaration.fileName : undefined;
}

export function isDeclarationName(node: ts.Identifier): boolean {
  const parent = node.parent;
  return (
    (ts.isClassDeclaration(parent) ||
      ts.isFunctionDeclaration(parent) ||
      ts.isVariableDeclaration(parent) ||
      ts.isInterfaceDeclaration(parent) ||
      ts.isTypeAliasDeclaration(parent) ||
      ts.isMethodDeclaration(parent) ||
      ts.isPropertyDeclaration(parent) ||
      ts.isParameter(parent) ||
      ts.isEnumDeclaration(parent)) &&
    parent.name === node
  );
}

export function isInImportOrExportClause(node: ts.Node): boolean {
  const parent = node.parent;
  return (
    ts.isImportSpecifier(parent) ||
    ts.isImportClause(parent) ||
    ts.isNamespaceImport(parent) ||
    ts.isExportSpecifier(parent) ||
    ts.isImportEqualsDeclaration(parent)
  );
}

export function scanFile(file: ts.SourceFile, root: string, checker: ts.TypeChecker, targets: Targets): FileFacts {
  const facts: FileFacts = { file, rel: relativePath(root, file.fileName), imports: [], references: [], news: [], declarations: [] };
  // Local names (aliases included) under which tracked symbols are visible in this file.
  const names = new Set(targets.names);
  const namespaces = new Map<string, ts.ImportDeclaration>();

  const record = (kind: ImportKind, declaration: ts.ImportDeclaration | ts.ExportDeclaration, node: ts.Node, nameNode: ts.Identifier, typeOnly: boolean) => {
    const symbol = checker.getSymbolAtLocation(nameNode);
    if (!symbol) return;
    const target = resolveAlias(checker, symbol);
    if (!isTracked(targets, target)) return;
    names.add(nameNode.text);
    const specifier = declaration.moduleSpecifier as ts.StringLiteral;
    facts.imports.push({
      kind,
      declaration,
      node,
      localName: nameNode.text,
      specifierText: specifier.text,
      moduleFile: moduleFileOf(checker, specifier),
      typeOnly,
      target,
    });
  };

  for (const statement of file.statements) {
    if (ts.isImportDeclaration(statement) && statement.importClause) {
      const clause = statement.importClause;
      if (clause.name) record('default', statement, clause.name, clause.name, clause.isTypeOnly);
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamedImports(bindings)) {
        for (const element of bindings.elements) {
          record('named', statement, element, element.name, clause.isTypeOnly || element.isTypeOnly);
        }
      } else if (bindings && ts.isNamespaceImport(bindings)) {
        namespaces.set(bindings.name.text, statement);
      }
    } else if (
      ts.isExportDeclaration(statement) &&
      statement.moduleSpecifier &&
      statement.exportClause &&
      ts.isNamedExports(statement.exportClause)
    ) {
      for (const element of statement.exportClause.elements) {
        // The exported name resolves through the alias to what the specifier points at.
        if (!ts.isIdentifier(element.name)) continue;
        record('reexport', statement, element, element.name, statement.isTypeOnly || element.isTypeOnly);
      }
    } else if (ts.isClassDeclaration(statement) || ts.isFunctionDeclaration(statement)) {
      if (statement.name && (targets.names.has(statement.name.text) || (targets.hasGuardedInterfaces && ts.isClassDeclaration(statement) && statement.heritageClauses))) {
        facts.declarations.push(statement);
      }
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        const init = declaration.initializer;
        if (
          ts.isIdentifier(declaration.name) &&
          targets.names.has(declaration.name.text) &&
          init &&
          (ts.isArrowFunction(init) || ts.isFunctionExpression(init) || ts.isClassExpression(init))
        ) {
          facts.declarations.push(declaration);
        }
      }
    }
  }

  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node)) {
      if (names.has(node.text) || namespaces.size > 0) visitIdentifier(node);
      return;
    }
    if (ts.isImportDeclaration(node)) return;
    ts.forEachChild(node, visit);
  };

  const visitIdentifier = (node: ts.Identifier) => {
    const parent = node.parent;
    // `ns.X` through `import * as ns`: an import use of X from the namespace's module.
    if (ts.isPropertyAccessExpression(parent) && parent.name === node && ts.isIdentifier(parent.expression)) {
      const declaration = namespaces.get(parent.expression.text);
      if (declaration) {
        const symbol = checker.getSymbolAtLocation(node);
        const target = symbol && resolveAlias(checker, symbol);
        if (target && isTracked(targets, target)) {
          const specifier = declaration.moduleSpecifier as ts.StringLiteral;
          facts.imports.push({
            kind: 'namespace',
            declaration,
            node: parent,
            localName: `${parent.expression.text}.${node.text}`,
            specifierText: specifier.text,
            moduleFile: moduleFileOf(checker, specifier),
            typeOnly: false,
            target,
          });
          addReference(node, target, parent);
        }
        return;
      }
    }
    if (!names.has(node.text) || isInImportOrExportClause(node) || isDeclarationName(node)) return;
    if (ts.isPropertyAccessExpression(parent) && parent.name === node) return;
    const symbol = ts.isShorthandPropertyAssignment(parent)
      ? checker.getShorthandAssignmentValueSymbol(parent)
      : checker.getSymbolAtLocation(node);
    if (!symbol) return;
    const target = resolveAlias(checker, symbol);
    if (isTracked(targets, target)) addReference(node, target, node);
  };

  const addReference = (node: ts.Identifier, target: ts.Symbol, callee: ts.Node) => {
    facts.references.push({ node, target });
    const parent = callee.parent;
    if (ts.isNewExpression(parent) && parent.expression === callee) facts.news.push({ node: parent, target });
  };

  for (const statement of file.statements) visit(statement);
  return facts;
}
