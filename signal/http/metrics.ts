/**
 * Prometheus metrics. Each service instance has its own prom-client `Registry`
 * (never the global default), so two services in one test process do not clash.
 *
 * Exports:
 * - `createMetrics()` → `Metrics`:
 *   `record(stat)` (the core's `Stat` effects), `setConnections(role, n)`,
 *   `setQueueLength(department, n)`, `render()` → Promise<{ contentType, body }>,
 *   and `registry` for anything else.
 * - `ConnectionRole`.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Stat } from '../core/events.ts';

export type ConnectionRole = 'visitor' | 'trainee' | 'helper' | 'monitor' | 'admin';

export interface Metrics {
  readonly registry: Registry;
  record(stat: Stat): void;
  setConnections(role: ConnectionRole, count: number): void;
  setQueueLength(department: string, length: number): void;
  render(): Promise<{ contentType: string; body: string }>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const connections = new Gauge({
    name: 'peerdesk_connections',
    help: 'Open WebSocket connections by role.',
    labelNames: ['role'] as const,
    registers,
  });
  const queueLength = new Gauge({
    name: 'peerdesk_queue_length',
    help: 'Chats waiting in each department queue.',
    labelNames: ['department'] as const,
    registers,
  });
  const byDepartment = (name: string, help: string) =>
    new Counter({ name, help, labelNames: ['department'] as const, registers });
  const requests = byDepartment('peerdesk_requests_total', 'Chat requests from visitors.');
  const offers = byDepartment('peerdesk_offers_total', 'Offers made to helpers.');
  const accepts = byDepartment('peerdesk_accepts_total', 'Offers accepted.');
  const rejects = byDepartment('peerdesk_rejects_total', 'Offers rejected.');
  const expiries = byDepartment('peerdesk_offer_expiries_total', 'Offers that expired.');
  const waitSeconds = new Histogram({
    name: 'peerdesk_wait_seconds',
    help: 'Time from joining the queue to an accepted offer.',
    labelNames: ['department'] as const,
    buckets: [1, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600],
    registers,
  });
  const relays = new Counter({
    name: 'peerdesk_relay_total',
    help: 'Signals relayed between participants.',
    registers,
  });
  const relaysRefused = new Counter({
    name: 'peerdesk_relay_refused_total',
    help: 'Signals refused by the relay (SPEC.md R1).',
    registers,
  });

  return {
    registry,
    record(stat) {
      switch (stat.name) {
        case 'request':
          requests.inc({ department: stat.department });
          return;
        case 'offer':
          offers.inc({ department: stat.department });
          return;
        case 'accept':
          accepts.inc({ department: stat.department });
          waitSeconds.observe({ department: stat.department }, Math.max(0, stat.waitMs) / 1000);
          return;
        case 'reject':
          rejects.inc({ department: stat.department });
          return;
        case 'expire':
          expiries.inc({ department: stat.department });
          return;
        case 'relay':
          relays.inc();
          return;
        case 'relay_refused':
          relaysRefused.inc();
          return;
      }
    },
    setConnections(role, count) {
      connections.set({ role }, count);
    },
    setQueueLength(department, length) {
      queueLength.set({ department }, length);
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
