import { randomBytes, randomUUID } from 'node:crypto';

/** Prefixed random ids, so an id read in a log says what it names. */
export const newId = (prefix: 'thr' | 'run' | 'msg' | 'call' | 'conn' | 'note'): string =>
  `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 20)}`;

/** Unguessable secret material (tickets, generated keys), base64url. */
export const newSecret = (bytes = 32): string => randomBytes(bytes).toString('base64url');
