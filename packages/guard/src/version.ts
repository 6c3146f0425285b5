import { readFileSync } from 'node:fs';

/** Read at run time so the version in reports can never drift from package.json. */
export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
