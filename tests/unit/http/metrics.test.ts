import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../../signal/http/metrics.ts';

describe('metrics', () => {
  it('counts the core stats and exposes gauges, per instance', async () => {
    const one = createMetrics();
    const two = createMetrics(); // a second registry in the same process does not clash
    one.record({ name: 'request', department: 'general' });
    one.record({ name: 'offer', department: 'general' });
    one.record({ name: 'offer', department: 'general' });
    one.record({ name: 'accept', department: 'general', waitMs: 12_000 });
    one.record({ name: 'reject', department: 'billing' });
    one.record({ name: 'expire', department: 'general' });
    one.record({ name: 'relay' });
    one.record({ name: 'relay_refused' });
    one.setConnections('helper', 2);
    one.connectionChanged('visitor', 1);
    one.connectionChanged('visitor', 1);
    one.connectionChanged('visitor', -1);
    one.stat({ name: 'relay' });
    one.upgradeRefused('origin');
    one.errorSent('rate_limited');
    one.setQueueLength('general', 4);
    const { body, contentType } = await one.render();
    expect(contentType).toMatch(/^text\/plain/);
    for (const line of [
      'peerdesk_requests_total{department="general"} 1',
      'peerdesk_offers_total{department="general"} 2',
      'peerdesk_accepts_total{department="general"} 1',
      'peerdesk_rejects_total{department="billing"} 1',
      'peerdesk_offer_expiries_total{department="general"} 1',
      'peerdesk_relay_total 2',
      'peerdesk_connections{role="visitor"} 1',
      'peerdesk_upgrades_refused_total{reason="origin"} 1',
      'peerdesk_errors_sent_total{code="rate_limited"} 1',
      'peerdesk_relay_refused_total 1',
      'peerdesk_connections{role="helper"} 2',
      'peerdesk_queue_length{department="general"} 4',
      'peerdesk_wait_seconds_bucket{le="20",department="general"} 1',
      'peerdesk_wait_seconds_bucket{le="10",department="general"} 0',
      'peerdesk_wait_seconds_sum{department="general"} 12',
    ]) {
      expect(body).toContain(line);
    }
    expect(body).toContain('process_cpu_user_seconds_total');
    expect((await two.render()).body).not.toContain('peerdesk_offers_total{');
  });
});
