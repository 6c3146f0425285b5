import { DEFAULTS } from '../defaults.js';

/** Default limits of docs/protocol.md; every one is configurable on the gateway. */
export const DEFAULT_LIMITS = Object.freeze({
  /** Largest inbound frame; larger ones close the socket with 1009. */
  maxFrameBytes: 64 * 1024,
  /** Largest `user_message.text`, in UTF-8 bytes. */
  maxTextBytes: 32 * 1024,
  maxClientMsgIdLength: 128,
  /** Frames per second per connection (token bucket refill) and its burst. */
  ratePerSecond: 20,
  rateBurst: 40,
  /** More frames than this within one second close the socket with 4029. */
  abuseFramesPerSecond: 100,
  maxConnectionsPerUser: DEFAULTS.maxConnectionsPerUser.value,
  maxRunsInFlightPerUser: DEFAULTS.maxRunsPerUser.value,
  /** Outbound `bufferedAmount` past which a socket is closed with 1013. */
  maxBufferedBytes: 1024 * 1024,
});

export type Limits = { -readonly [K in keyof typeof DEFAULT_LIMITS]: number };
