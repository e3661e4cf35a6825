/**
 * The audit writer's Prometheus metrics (registered on the service's registry, `/metrics`):
 *
 * | metric | type | what |
 * | --- | --- | --- |
 * | `lgsp_audit_entries_queued` | gauge | entries waiting in this process for the log |
 * | `lgsp_audit_entries_written_total` | counter | entries stored in the log |
 * | `lgsp_audit_append_failures_total` | counter | appends that failed (and will be retried) |
 * | `lgsp_audit_append_duration_seconds` | histogram | time of one append (one batch) |
 * | `lgsp_audit_queue_over_limit_total` | counter | entries queued while the queue was over its limit (kept, not dropped) |
 * | `lgsp_audit_entries_invalid_total` | counter | entries refused as malformed (a bug of the writing component; never stored) |
 */
import { Counter, Gauge, Histogram, type Registry } from '@lgsp/kit';

export interface AuditWriterMetrics {
  queued: Gauge;
  written: Counter;
  failures: Counter;
  appendDuration: Histogram;
  overLimit: Counter;
  invalid: Counter;
}

/** The writer's metrics on `registry` (none registered when it is undefined: tests, CLIs). */
export function auditWriterMetrics(registry?: Registry): AuditWriterMetrics {
  const registers = registry === undefined ? [] : [registry];
  return {
    queued: new Gauge({ name: 'lgsp_audit_entries_queued', help: 'Audit entries waiting in this process to be stored in the audit log', registers }),
    written: new Counter({ name: 'lgsp_audit_entries_written_total', help: 'Audit entries stored in the audit log', registers }),
    failures: new Counter({ name: 'lgsp_audit_append_failures_total', help: 'Appends to the audit log that failed and will be retried', registers }),
    appendDuration: new Histogram({
      name: 'lgsp_audit_append_duration_seconds',
      help: 'Time of one append (one batch) to the audit log',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    overLimit: new Counter({
      name: 'lgsp_audit_queue_over_limit_total',
      help: 'Audit entries queued while the queue was over AUDIT_WRITER_MAX_QUEUE (kept in memory, not dropped)',
      registers,
    }),
    invalid: new Counter({ name: 'lgsp_audit_entries_invalid_total', help: 'Audit entries refused as malformed by the writer (never stored)', registers }),
  };
}
