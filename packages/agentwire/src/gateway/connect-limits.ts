import { AgentwireError } from '../errors.js';

/** Admission limits on the upgrade (issue 12, "Admission control"); every one a library option. */
export interface ConnectLimits {
  /** Open sockets on this process, all users together (default 10,000): beyond, HTTP 503. */
  maxConnections: number;
  /** Open sockets from one client address (default 200; NAT puts many users behind one): beyond, HTTP 429. */
  maxConnectionsPerAddress: number;
  /** New upgrades per second on this process (default 500, burst the same): beyond, HTTP 503. */
  connectsPerSecond: number;
  /** New upgrades per second from one address (default 50, burst the same): beyond, HTTP 429. */
  connectsPerSecondPerAddress: number;
}

export const DEFAULT_CONNECT_LIMITS: Readonly<ConnectLimits> = Object.freeze({
  maxConnections: 10_000,
  maxConnectionsPerAddress: 200,
  connectsPerSecond: 500,
  connectsPerSecondPerAddress: 50,
});

export function resolveConnectLimits(given: Partial<ConnectLimits> | undefined): Readonly<ConnectLimits> {
  const limits = { ...DEFAULT_CONNECT_LIMITS, ...given };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isFinite(value) || value <= 0) throw new AgentwireError('AW_ERR_CONFIG', `connectLimits.${name} must be a positive number`);
  }
  return limits;
}
