/**
 * Prometheus metrics. Each service instance has its own prom-client `Registry`
 * (never the global default), so two services in one test process do not clash.
 *
 * Exports:
 * - `createMetrics()` → `Metrics`, which is also the gateway's `GatewayMetrics`:
 *   `record(stat)` / `stat(stat)` (the core's `Stat` effects),
 *   `connectionChanged(role, ±1)`, `setConnections(role, n)`,
 *   `setQueueLength(department, n)`, `upgradeRefused(reason)`, `errorSent(code)`,
 *   `render()` → Promise<{ contentType, body }>, and `registry` for anything else.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Stat } from '../core/events.ts';
import type { ConnectionRole } from '../gateway/connection.ts';
import type { GatewayMetrics } from '../gateway/gateway.ts';

export type { ConnectionRole } from '../gateway/connection.ts';

export interface Metrics extends GatewayMetrics {
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
    help: 'Signals refused by the relay (SPEC.md SP-R1).',
    registers,
  });

  const peersRefused = new Counter({
    name: 'peerdesk_peer_refusals_total',
    help: 'Participants dropped by a peer for breaking the chat rules (SPEC.md SP-P5), by code and the role of the one dropped.',
    labelNames: ['code', 'role'] as const,
    registers,
  });

  const upgradesRefused = new Counter({
    name: 'peerdesk_upgrades_refused_total',
    help: 'WebSocket upgrades refused, by reason (path, origin, rate).',
    labelNames: ['reason'] as const,
    registers,
  });
  const errorsSent = new Counter({
    name: 'peerdesk_errors_sent_total',
    help: 'Errors sent to clients, by code.',
    labelNames: ['code'] as const,
    registers,
  });

  function record(stat: Stat): void {
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
      case 'peer_refused':
        peersRefused.inc({ code: stat.code, role: stat.role });
        return;
    }
  }

  return {
    registry,
    record,
    stat: record,
    connectionChanged(role, delta) {
      if (delta > 0) connections.inc({ role });
      else connections.dec({ role });
    },
    upgradeRefused(reason) {
      upgradesRefused.inc({ reason });
    },
    errorSent(code) {
      errorsSent.inc({ code });
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
