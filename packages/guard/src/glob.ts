/**
 * A deliberately small glob dialect (`*`, `**`, `?`, and plain folder prefixes) so config
 * patterns behave the same on every Node version without another dependency.
 */
export type Matcher = (relativePath: string) => boolean;

function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] as string;
    if (char === '*') {
      if (pattern[i + 1] === '*') {
        // `**/` may match zero folders, so `src/**/x.ts` also matches `src/x.ts`.
        if (pattern[i + 2] === '/') {
          source += '(?:.*/)?';
          i += 2;
        } else {
          source += '.*';
          i += 1;
        }
      } else {
        source += '[^/]*';
      }
    } else if (char === '?') {
      source += '[^/]';
    } else {
      source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}

function normalise(pattern: string): string {
  return pattern.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '');
}

/** A pattern without wildcards names a file or a folder, and a folder covers everything below it. */
export function compileGlob(pattern: string): Matcher {
  const clean = normalise(pattern);
  if (!/[*?]/.test(clean)) {
    return (path) => path === clean || path.startsWith(`${clean}/`) || clean === '';
  }
  const regexp = globToRegExp(clean);
  return (path) => regexp.test(path);
}

export function compileGlobs(patterns: readonly string[]): Matcher {
  const matchers = patterns.map(compileGlob);
  return (path) => matchers.some((match) => match(path));
}
