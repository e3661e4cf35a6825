/**
 * `GET /internal/presence/:agency` — when the agency's systems were last seen on the relay (production namespace),
 * for the monitoring's health picture when it cannot read the relay's Redis (embedded mode, HEALTH_PRESENCE=http):
 * 200 `{ "agency", "lastSeenMs": number | null, "systems": [{ "systemId", "lastSeenMs" }] }` (most recent first),
 * 400 `BAD_USER_INPUT` for a malformed agency code, 503 `UPSTREAM_UNAVAILABLE` when the store fails. Same guard.
 *
 * `POST /internal/presence` — the subscriptions service reports the systems that hold a subscription, so a system
 * that only listens counts as online (R4: the platform detects whether systems are online). Guarded by the shared
 * EVENTS_PUBLISH_TOKEN, not by the gateway's internal token (the gateway does not expose this path: it proxies only
 * `/exchange/`).
 *
 * Body `{ "systems": [{ "agencyCode": "000.00.03.H41", "systemId": "000.00.03.H41:vpdt" }], "heldForMs": 130000 }`
 * (≤ 1,000 systems) → 204; the time of the report is the relay's clock. `heldForMs` is a lease: the systems count as
 * seen now until the report's time + heldForMs, however short the policy's offline limit, so the reporter renews it
 * before it runs out (every PRESENCE_REPORT_MS); a hold never shortens, so it ends when the last lease runs out (see
 * PresenceStore for when a system counts as seen afterwards). Without `heldForMs` (or with 0) the report is activity
 * only, at its time (as a reporter older than leases sends it). Entries are judged one by one: malformed ones are
 * refused (400, their indexes in `extensions.refused`) and the others recorded all the same; a malformed
 * `heldForMs` refuses the whole report.
 *
 * An entry may name its system's environment (`"environment": "test"`, as the subscriber's principal carries it;
 * absent = production): a test system's presence is recorded in the test namespace only (issue 16), so it never makes
 * a production agency look online, nor the reverse.
 */
import type { Express } from 'express';
import { ENVIRONMENTS, ErrorCode, errorBody, jsonBody, requireSharedSecret, type Environment, type Logger } from '@lgsp/kit';
import type { PresenceStore } from '../store/presence-store.ts';

const MAX_SYSTEMS = 1_000;
/** The longest lease a report may ask for (the subscriptions service asks for three report intervals). */
const MAX_HELD_FOR_MS = 3_600_000;
/** An agency code (mã định danh, `000.00.02.H41`). */
const AGENCY_CODE = /^[A-Za-z0-9._-]{1,64}$/;
/**
 * A system id as the tokens carry it (`system_id`, in the realm `<agency code>:<system>`, e.g.
 * `000.00.02.H41:csdl-dan-cu-tinh`; else the client id): printable ASCII without spaces.
 */
const SYSTEM_ID = /^[\x21-\x7e]{1,128}$/;

export function presenceRoute(options: {
  token: string;
  /** The presence store of each namespace. */
  presence: (environment: Environment) => PresenceStore;
  logger: Logger;
  now?: () => number;
}): (app: Express) => void {
  const now = options.now ?? Date.now;
  return (app) => {
    app.get('/internal/presence/:agency', requireSharedSecret(options.token), async (req, res) => {
      const agency = req.params.agency;
      if (typeof agency !== 'string' || !AGENCY_CODE.test(agency)) {
        res.status(400).json(errorBody(ErrorCode.BAD_USER_INPUT, 'the agency must be an agency code: letters, digits, . _ - (at most 64)'));
        return;
      }
      try {
        const nowMs = now();
        const store = options.presence('production');
        const systems = (await store.systems(agency, nowMs)).map((s) => ({ systemId: s.system, lastSeenMs: s.lastSeenMs }));
        res.json({ agency, lastSeenMs: systems[0]?.lastSeenMs ?? null, systems });
      } catch (error) {
        options.logger.error({ err: error }, 'presence not read');
        res.status(503).json(errorBody(ErrorCode.UPSTREAM_UNAVAILABLE, 'presence could not be read'));
      }
    });
    app.post('/internal/presence', requireSharedSecret(options.token), jsonBody('128kb'), async (req, res) => {
      const { systems, heldForMs } = (req.body ?? {}) as { systems?: unknown; heldForMs?: unknown };
      if (!Array.isArray(systems) || systems.length > MAX_SYSTEMS) {
        res
          .status(400)
          .json(
            errorBody(
              ErrorCode.BAD_USER_INPUT,
              `the body must be {"systems": [{"agencyCode": string, "systemId": string}], "heldForMs"?: integer} with at most ${MAX_SYSTEMS} entries`,
            ),
          );
        return;
      }
      if (heldForMs !== undefined && !(Number.isSafeInteger(heldForMs) && (heldForMs as number) >= 0 && (heldForMs as number) <= MAX_HELD_FOR_MS)) {
        res
          .status(400)
          .json(
            errorBody(
              ErrorCode.BAD_USER_INPUT,
              `heldForMs must be absent or an integer from 0 to ${MAX_HELD_FOR_MS} (milliseconds the systems are held from now); nothing recorded`,
            ),
          );
        return;
      }
      const leaseMs = heldForMs as number | undefined;
      // Each entry on its own: one malformed entry must not cost every other system of the report its presence.
      const valid: Array<{ agencyCode: string; systemId: string; environment: Environment }> = [];
      const refused: number[] = [];
      systems.forEach((s: unknown, index) => {
        const entry = s as { agencyCode?: unknown; systemId?: unknown; environment?: unknown } | null;
        const ok =
          entry !== null &&
          typeof entry === 'object' &&
          typeof entry.agencyCode === 'string' &&
          AGENCY_CODE.test(entry.agencyCode) &&
          typeof entry.systemId === 'string' &&
          SYSTEM_ID.test(entry.systemId) &&
          (entry.environment === undefined || ENVIRONMENTS.includes(entry.environment as Environment));
        if (ok)
          valid.push({
            agencyCode: entry.agencyCode as string,
            systemId: entry.systemId as string,
            environment: (entry.environment as Environment | undefined) ?? 'production',
          });
        else refused.push(index);
      });
      const at = now();
      try {
        await Promise.all(
          valid.map((entry) =>
            leaseMs === undefined
              ? options.presence(entry.environment).markActive(entry.agencyCode, entry.systemId, at)
              : options.presence(entry.environment).hold(entry.agencyCode, entry.systemId, at, at + leaseMs),
          ),
        );
      } catch (error) {
        options.logger.error({ err: error }, 'presence not recorded');
        res.status(503).json(errorBody(ErrorCode.UPSTREAM_UNAVAILABLE, 'presence could not be recorded'));
        return;
      }
      if (refused.length === 0) {
        res.status(204).end();
        return;
      }
      const body = errorBody(
        ErrorCode.BAD_USER_INPUT,
        `systems[${refused[0]}] is not {"agencyCode", "systemId", "environment"?} with an agency code of letters, digits, . _ - (at most 64), a system id of printable ASCII without spaces (at most 128) and an environment "production" or "test"; ${refused.length} of ${systems.length} entries refused, the others recorded`,
      );
      res.status(400).json({ errors: body.errors.map((e) => ({ ...e, extensions: { ...e.extensions, refused, recorded: valid.length } })) });
    });
  };
}
