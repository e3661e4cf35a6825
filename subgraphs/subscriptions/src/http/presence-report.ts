/** The presence report as an HTTP call to the relay (see domain/presence.ts and the relay's http/presence-route.ts). */
import { postWithSharedSecret } from '@lgsp/kit';
import type { PresenceReport } from '../domain/presence.ts';

/** The report as an HTTP call to the relay's `POST /internal/presence` (shared EVENTS_PUBLISH_TOKEN). */
export function relayPresenceReport(options: { relayUrl: string; token: string; timeoutMs?: number }): PresenceReport {
  const url = new URL('/internal/presence', options.relayUrl).toString();
  return async (systems, heldForMs) => {
    for (let i = 0; i < systems.length; i += 1_000) {
      await postWithSharedSecret(url, options.token, { systems: systems.slice(i, i + 1_000), heldForMs }, { expectStatus: 204, timeoutMs: options.timeoutMs });
    }
  };
}
