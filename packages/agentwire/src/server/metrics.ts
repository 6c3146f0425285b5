import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Gateway } from '../gateway/gateway.js';

/**
 * Prometheus metrics of one gateway, in a registry of its own (never the process-wide
 * default). Values are read from the gateway's counters at scrape time, so the hot path
 * pays nothing for them.
 */
export function createMetricsRegistry(gateway: Gateway): Registry {
  const registry = new Registry();
  // prom-client's own names already start with `process_` / `nodejs_`: the prefix is only
  // `agentwire_`, so they read `agentwire_process_cpu_seconds_total`, not `..._process_process_...`.
  collectDefaultMetrics({ register: registry, prefix: 'agentwire_' });
  const health = () => gateway.health();
  const stats = gateway.stats;

  gauge(registry, 'agentwire_connections', 'Open WebSocket connections', () => health().connections);
  gauge(registry, 'agentwire_users', 'Users with a live scope in this process', () => health().users);
  gauge(registry, 'agentwire_runs_active', 'Runs executing in this process', () => health().runs_active);
  gauge(registry, 'agentwire_bus_up', '1 when the event bus is reachable', () => (gateway.bus.health() === 'ok' ? 1 : 0));
  counter(registry, 'agentwire_events_delivered_total', 'User-stream events written to sockets', () => stats.eventsDelivered);
  counter(registry, 'agentwire_delivery_failures_total', 'Events that could not be written to a socket', () => stats.deliveryFailures);
  counter(registry, 'agentwire_isolation_violations_total', 'Events stopped by the isolation guard (always 0)', () => stats.isolationViolations);
  counter(registry, 'agentwire_connections_opened_total', 'Connections accepted', () => stats.connectionsOpened);
  counter(registry, 'agentwire_connections_refused_total', 'Upgrades refused (auth, limits)', () => stats.connectionsRefused);
  counter(registry, 'agentwire_slow_consumers_closed_total', 'Sockets closed with 1013 for a full buffer', () => stats.slowConsumersClosed);
  counter(registry, 'agentwire_inbound_errors_total', 'Client frames answered with an error frame', () => stats.inboundErrors);
  counter(registry, 'agentwire_runs_started_total', 'Runs started', () => stats.runsStarted);
  new Counter({
    name: 'agentwire_runs_ended_total',
    help: 'Runs ended, by outcome',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [outcome, count] of Object.entries(stats.runsEnded)) this.inc({ outcome }, count);
    },
  });
  return registry;
}

function gauge(registry: Registry, name: string, help: string, read: () => number): void {
  new Gauge({ name, help, registers: [registry], collect() { this.set(read()); } });
}

function counter(registry: Registry, name: string, help: string, read: () => number): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}
