import { AgentwireError } from '../errors.js';
import { BEARER_SUBPROTOCOL_PREFIX, SUBPROTOCOL } from '../protocol/types.js';

type Supplier = () => string | Promise<string>;

export interface CredentialOptions {
  /** A JWT. Sent as `Authorization: Bearer` with `ws`, as the `bearer.<jwt>` subprotocol in browsers. */
  token?: string;
  /**
   * Called for a token when there is none yet, after the server closed with 4001 (token
   * expired), and ahead of the token's `exp` to renew the open connection in band
   * (`refresh`, protocol 1.1): it must return a new token of the same user each time.
   */
  getToken?: Supplier;
  /** Called before every connection attempt for a fresh single-use ticket (`POST /auth/ticket`); preferred in browsers. */
  getTicket?: Supplier;
}

/** What one connection attempt carries: URL query, offered subprotocols, headers. */
export interface AttemptCredential {
  query: Record<string, string>;
  protocols: string[];
  headers: Record<string, string>;
}

/** Chooses and refreshes the credential of each connection attempt (docs/protocol.md, "Connecting"). */
export class CredentialSource {
  private token: string | undefined;

  constructor(private readonly options: CredentialOptions) {
    if (options.token === undefined && !options.getToken && !options.getTicket) {
      throw new AgentwireError('AW_ERR_CLIENT_OPTIONS', 'give token, getToken or getTicket');
    }
    this.token = options.token;
  }

  /** Throws `AW_ERR_CLIENT_CREDENTIALS` when the app's callback fails (the client retries with backoff). */
  async forAttempt(supportsHeaders: boolean): Promise<AttemptCredential> {
    if (this.options.getTicket) {
      const ticket = await call(this.options.getTicket, 'getTicket');
      return { query: { ticket }, protocols: [SUBPROTOCOL], headers: {} };
    }
    this.token ??= await call(this.options.getToken!, 'getToken');
    return supportsHeaders
      ? { query: {}, protocols: [SUBPROTOCOL], headers: { authorization: `Bearer ${this.token}` } }
      : { query: {}, protocols: [SUBPROTOCOL, BEARER_SUBPROTOCOL_PREFIX + this.token], headers: {} };
  }

  /** The token the next attempt sends, when connecting with tokens (not tickets). */
  get currentToken(): string | undefined {
    return this.options.getTicket ? undefined : this.token;
  }

  /** True when a token can be renewed in band: the app gave getToken and connects with tokens. */
  get canRefresh(): boolean {
    return this.options.getToken !== undefined && !this.options.getTicket;
  }

  /** A new token from the app, for an in-band refresh (throws `AW_ERR_CLIENT_CREDENTIALS`). */
  freshToken(): Promise<string> {
    return call(this.options.getToken!, 'getToken');
  }

  /** The server accepted a refreshed token: reconnects use it until it expires in turn. */
  adopt(token: string): void {
    this.token = token;
  }

  /** After close 4001: forget the token; false when the app gave no way to get another. */
  tokenExpired(): boolean {
    if (this.options.getTicket) return true;
    if (!this.options.getToken) return false;
    this.token = undefined;
    return true;
  }
}

async function call(supplier: Supplier, name: string): Promise<string> {
  let value: string;
  try {
    value = await supplier();
  } catch (error) {
    throw new AgentwireError('AW_ERR_CLIENT_CREDENTIALS', `${name} threw: ${String(error)}`, { cause: error });
  }
  if (typeof value !== 'string' || value === '') throw new AgentwireError('AW_ERR_CLIENT_CREDENTIALS', `${name} returned no string`);
  return value;
}
