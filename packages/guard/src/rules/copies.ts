import { ts } from 'ts-morph';
import { resolveAlias, type Targets } from '../targets.js';

function publicMemberNames(checker: ts.TypeChecker, type: ts.Type): Set<string> {
  const names = new Set<string>();
  for (const property of checker.getPropertiesOfType(type)) {
    const declaration = property.valueDeclaration ?? property.declarations?.[0];
    const modifiers = declaration && ts.canHaveModifiers(declaration) ? (ts.getModifiers(declaration) ?? []) : [];
    if (modifiers.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword)) continue;
    if (property.name.startsWith('__#')) continue;
    names.add(property.name);
  }
  return names;
}

function subset(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return [...a].every((name) => b.has(name));
}

function returnTypes(checker: ts.TypeChecker, type: ts.Type): ts.Type[] {
  return type.getCallSignatures().map((signature) => checker.getReturnTypeOfSignature(signature));
}

/**
 * Whether a namesake structurally copies the canonical declaration: for a class, one's public
 * members are a subset of the other's; for a function, one's return type is assignable to the
 * other's. A client `Session` and a server `Session` with unrelated shapes are namesakes, not copies.
 */
export function isStructuralCopy(checker: ts.TypeChecker, canonical: ts.Symbol, candidate: ts.Symbol, at: ts.Node): boolean {
  const bothClasses = (canonical.flags & ts.SymbolFlags.Class) !== 0 && (candidate.flags & ts.SymbolFlags.Class) !== 0;
  if (bothClasses) {
    const a = publicMemberNames(checker, checker.getDeclaredTypeOfSymbol(canonical));
    const b = publicMemberNames(checker, checker.getDeclaredTypeOfSymbol(candidate));
    return subset(a, b) || subset(b, a);
  }
  const canonicalType = checker.getTypeOfSymbolAtLocation(canonical, at);
  const candidateType = checker.getTypeOfSymbolAtLocation(candidate, at);
  const left = returnTypes(checker, canonicalType);
  const right = returnTypes(checker, candidateType);
  if (left.length === 0 || right.length === 0) return (candidate.flags & ts.SymbolFlags.Class) !== 0 === ((canonical.flags & ts.SymbolFlags.Class) !== 0);
  return left.some((l) => right.some((r) => checker.isTypeAssignableTo(r, l) || checker.isTypeAssignableTo(l, r)));
}

/** Guarded classes and every class they extend: the canonical hierarchy is never a duplicate. */
export function canonicalHierarchy(checker: ts.TypeChecker, targets: Targets): Set<ts.Symbol> {
  const found = new Set<ts.Symbol>();
  const visit = (symbol: ts.Symbol) => {
    if (found.has(symbol)) return;
    found.add(symbol);
    for (const declaration of symbol.declarations ?? []) {
      if (!ts.isClassDeclaration(declaration) && !ts.isClassExpression(declaration)) continue;
      for (const clause of declaration.heritageClauses ?? []) {
        if (clause.token !== ts.SyntaxKind.ExtendsKeyword) continue;
        for (const type of clause.types) {
          const base = checker.getSymbolAtLocation(type.expression);
          if (base) visit(resolveAlias(checker, base));
        }
      }
    }
  };
  for (const target of targets.guarded.values()) {
    if (target.symbol.flags & ts.SymbolFlags.Class) visit(target.symbol);
  }
  return found;
}

