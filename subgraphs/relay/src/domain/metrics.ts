/** The relay's Prometheus metrics (GET /metrics). */
import { Counter, type Registry } from '@lgsp/kit';

export function createRelayMetrics(registry: Registry) {
  return {
    packets: new Counter({
      name: 'lgsp_relay_packets_total',
      help: 'Packets by lifecycle event (requested, uploaded, rejected)',
      labelNames: ['event'] as const,
      registers: [registry],
    }),
    deliveries: new Counter({
      name: 'lgsp_relay_deliveries_total',
      help: 'Per-recipient delivery events (notified, redelivered, delivered, expired, undeliverable)',
      labelNames: ['event'] as const,
      registers: [registry],
    }),
    undeliverable: new Counter({ name: 'lgsp_relay_undeliverable_total', help: 'Deliveries turned UNDELIVERABLE (operator alert)', registers: [registry] }),
    uploadsRefused: new Counter({
      name: 'lgsp_relay_uploads_refused_total',
      help: 'Uploads refused, by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    eventsFailed: new Counter({
      name: 'lgsp_relay_events_failed_total',
      help: 'Events that could not be published to the subscriptions topics, by topic family (operator alert)',
      labelNames: ['topic'] as const,
      registers: [registry],
    }),
    contentKeyUnavailable: new Counter({
      name: 'lgsp_relay_content_key_unavailable_total',
      help: 'Reads refused because the content was stored under a master key this relay is not configured with (operator alert: RELAY_MASTER_KEY_PREVIOUS)',
      registers: [registry],
    }),
    bytes: new Counter({
      name: 'lgsp_relay_content_bytes_total',
      help: 'Content bytes received (in) and sent (out)',
      labelNames: ['direction'] as const,
      registers: [registry],
    }),
  };
}

export type RelayMetrics = ReturnType<typeof createRelayMetrics>;
