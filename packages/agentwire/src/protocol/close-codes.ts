/** WebSocket close codes of PROTOCOL.md ("Close codes"). */
export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  protocolError: 1002,
  unauthorized: 1008,
  tooBig: 1009,
  internalError: 1011,
  tryAgainLater: 1013,
  tokenExpired: 4001,
  tooManyRequests: 4029,
} as const;

export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode];
