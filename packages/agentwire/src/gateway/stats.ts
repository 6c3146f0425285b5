/**
 * Counters of one gateway, plain numbers on the hot path; `/metrics` and
 * `/health/websocket` read them when asked instead of updating metric objects per event.
 */
export class GatewayStats {
  eventsDelivered = 0;
  deliveryFailures = 0;
  isolationViolations = 0;
  connectionsOpened = 0;
  connectionsRefused = 0;
  slowConsumersClosed = 0;
  inboundErrors = 0;
  runsStarted = 0;
  readonly runsEnded: Record<'completed' | 'failed' | 'cancelled' | 'timeout' | 'shutdown', number> = {
    completed: 0,
    failed: 0,
    cancelled: 0,
    timeout: 0,
    shutdown: 0,
  };
}
