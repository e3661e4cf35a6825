/** The presence report as an HTTP call to the relay (see domain/presence.ts and the relay's http/presence-route.ts). */
import type { PresentSystem } from '../domain/presence.ts';

/** The report as an HTTP call to the relay's `POST /internal/presence` (shared EVENTS_PUBLISH_TOKEN). */
export function relayPresenceReport(options: { relayUrl: string; token: string; timeoutMs?: number }): (systems: PresentSystem[]) => Promise<void> {
  const url = new URL('/internal/presence', options.relayUrl).toString();
  return async (systems) => {
    for (let i = 0; i < systems.length; i += 1_000) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ systems: systems.slice(i, i + 1_000) }),
        signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
      });
      if (response.status !== 204) throw new Error(`presence report to ${url} failed: HTTP ${response.status} ${(await response.text()).slice(0, 200)}`);
    }
  };
}
