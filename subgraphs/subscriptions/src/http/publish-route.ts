/**
 * `POST /internal/events` — publishing for processes that cannot reach the topics directly: in embedded mode (no
 * Redis) the topics live in this process's memory, and the relay and catalogs post their events here. Guarded by a
 * bearer secret shared with the publishers (EVENTS_PUBLISH_TOKEN), not the gateway's internal token: publishers
 * also publish outside any request (the relay's expiry sweep), when they hold no gateway token.
 *
 * Body `{ "topic": "packet-available:000.00.03.H41", "fields": { "packetId": "…", … } }` → 201 `{ "eventId" }`.
 */
import type { Express } from 'express';
import { ErrorCode, errorBody, jsonBody, requireSharedSecret, type Logger } from '@lgsp/kit';
import { checkEvent } from '../publish.ts';
import type { EventStream } from '../store/event-stream.ts';

export function publishRoute(options: { token: string; stream: EventStream; logger: Logger }): (app: Express) => void {
  return (app) => {
    app.post('/internal/events', requireSharedSecret(options.token), jsonBody('64kb'), async (req, res) => {
      const { topic, fields } = (req.body ?? {}) as { topic?: unknown; fields?: unknown };
      try {
        if (typeof topic !== 'string' || typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
          throw new Error('the body must be {"topic": string, "fields": {name: string}}');
        }
        checkEvent(topic, fields as Record<string, string>);
      } catch (error) {
        res.status(400).json(errorBody(ErrorCode.BAD_USER_INPUT, (error as Error).message));
        return;
      }
      try {
        const eventId = await options.stream.publish(topic, fields as Record<string, string>);
        res.status(201).json({ eventId });
      } catch (error) {
        options.logger.error({ err: error, topic }, 'event not published');
        res.status(503).json(errorBody(ErrorCode.UPSTREAM_UNAVAILABLE, 'the event could not be stored'));
      }
    });
  };
}
