/**
 * `POST /internal/events` — publishing for processes that cannot reach the topics directly: in embedded mode (no
 * Redis) the topics live in this process's memory, and the relay and catalogs post their events here. Guarded by a
 * bearer secret shared with the publishers (EVENTS_PUBLISH_TOKEN), not the gateway's internal token: publishers
 * also publish outside any request (the relay's expiry sweep), when they hold no gateway token.
 *
 * One event: `{ "topic": "packet-available:000.00.03.H41", "fields": { "packetId": "…", … } }` → 201 `{ "eventId" }`.
 * A batch (what `httpEventPublisher` sends): `{ "events": [ { "topic", "fields" }, … ] }` → 201 `{ "eventIds": [ … ] }`
 * in the same order. Every event of a batch is checked before any is published, and they are stored one after the
 * other in the order given, so the order within a topic is the publisher's.
 *
 * Either body may name the namespace of its topics (issue 16): `"environment": "test"` stores the events in the test
 * environment's topics, which only test-environment subscribers follow (the relay's test packets); absent or
 * `"production"` = production's topics.
 */
import type { Express, Response } from 'express';
import { checkEvent, eventLimits } from '@lgsp/events';
import { Counter, ENVIRONMENTS, ErrorCode, LgspError, jsonBody, requireSharedSecret, type Environment, type Logger, type Registry } from '@lgsp/kit';
import type { EventStream } from '../store/event-stream.ts';

/**
 * Body limit: a full batch of the largest events, `{"events":[` + 500 × 2,048 bytes + 499 commas + `]}` =
 * 1,024,512 bytes, fits in 1 MiB (1,048,576).
 */
export const PUBLISH_BODY_LIMIT = '1mb';

type Event = { topic: string; fields: Record<string, string> };

/** The body's `environment`: absent = production; anything but "production" or "test" is refused. */
function readEnvironment(body: object): Environment {
  const { environment } = body as { environment?: unknown };
  if (environment === undefined) return 'production';
  if (!ENVIRONMENTS.includes(environment as Environment)) {
    throw new LgspError(ErrorCode.BAD_USER_INPUT, `"environment" must be absent, "production" or "test" (the namespace of the topics); nothing published`);
  }
  return environment as Environment;
}

/** Reads either body shape; throws BAD_USER_INPUT (400) or, for a batch over the limit, LIMIT_EXCEEDED (413). */
export function readPublishBody(body: unknown): { shape: 'single' | 'batch'; environment: Environment; events: Event[] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new LgspError(ErrorCode.BAD_USER_INPUT, 'the body must be {"topic": string, "fields": {name: string}} or {"events": [{"topic", "fields"}, …]}');
  }
  const environment = readEnvironment(body);
  if (!('events' in body)) return { shape: 'single', environment, events: [readEvent(body, '')] };
  const { events } = body as { events: unknown };
  if (Object.keys(body).some((key) => key !== 'events' && key !== 'environment')) {
    throw new LgspError(
      ErrorCode.BAD_USER_INPUT,
      'a batch body has only "events" and "environment": {"environment"?: "test", "events": [{"topic", "fields"}, …]}',
    );
  }
  if (!Array.isArray(events) || events.length === 0) throw new LgspError(ErrorCode.BAD_USER_INPUT, '"events" must be a non-empty array of {"topic", "fields"}');
  if (events.length > eventLimits.maxEventsPerPost) {
    throw new LgspError(
      ErrorCode.LIMIT_EXCEEDED,
      `a batch holds at most ${eventLimits.maxEventsPerPost} events, this one has ${events.length}: post them in several batches`,
      {
        limit: eventLimits.maxEventsPerPost,
      },
    );
  }
  return { shape: 'batch', environment, events: events.map((event, index) => readEvent(event, `events[${index}]: `, index)) };
}

function readEvent(value: unknown, where: string, index?: number): Event {
  const details = index === undefined ? undefined : { index };
  const { topic, fields } = (typeof value === 'object' && value !== null ? value : {}) as { topic?: unknown; fields?: unknown };
  if (typeof topic !== 'string' || typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    throw new LgspError(ErrorCode.BAD_USER_INPUT, `${where}an event must be {"topic": string, "fields": {name: string}}`, details);
  }
  try {
    checkEvent(topic, fields as Record<string, string>);
  } catch (error) {
    throw new LgspError(ErrorCode.BAD_USER_INPUT, `${where}${(error as Error).message}`, details);
  }
  return { topic, fields: fields as Record<string, string> };
}

const sendError = (res: Response, status: number, code: ErrorCode, message: string, details: Record<string, unknown> = {}) =>
  res.status(status).json({ errors: [{ message, extensions: { code, ...details } }] });

export function publishRoute(options: {
  token: string;
  /** The topics of each namespace. */
  stream: (environment: Environment) => EventStream;
  logger: Logger;
  metrics?: Registry;
}): (app: Express) => void {
  const registers = options.metrics === undefined ? [] : [options.metrics];
  const requests = new Counter({
    name: 'lgsp_subscriptions_publish_requests_total',
    help: 'POST /internal/events requests that reached the checks of their events, by outcome (published, refused, failed)',
    labelNames: ['outcome'] as const,
    registers,
  });
  const published = new Counter({ name: 'lgsp_subscriptions_posted_events_total', help: 'Events stored from POST /internal/events', registers });

  return (app) => {
    app.post('/internal/events', requireSharedSecret(options.token), jsonBody(PUBLISH_BODY_LIMIT), async (req, res) => {
      let body: ReturnType<typeof readPublishBody>;
      try {
        body = readPublishBody(req.body);
      } catch (error) {
        const { code, message, details } = error instanceof LgspError ? error : new LgspError(ErrorCode.BAD_USER_INPUT, (error as Error).message);
        requests.inc({ outcome: 'refused' });
        sendError(res, code === ErrorCode.LIMIT_EXCEEDED ? 413 : 400, code, message, details);
        return;
      }
      const stream = options.stream(body.environment);
      const eventIds: string[] = [];
      for (const [index, event] of body.events.entries()) {
        try {
          eventIds.push(await stream.publish(event.topic, event.fields));
          published.inc();
        } catch (error) {
          // Stop at the first failure: storing the later events would put them ahead of this one in its topic.
          options.logger.error({ err: error, topic: event.topic, environment: body.environment, index, published: index }, 'event not published');
          requests.inc({ outcome: 'failed' });
          if (body.shape === 'single') {
            sendError(res, 503, ErrorCode.UPSTREAM_UNAVAILABLE, 'the event could not be stored');
          } else {
            const stored = index === 0 ? 'none before it was stored' : `events[0..${index - 1}] were stored (extensions.eventIds)`;
            const skipped = index === body.events.length - 1 ? '' : `, events[${index + 1}..${body.events.length - 1}] were not tried`;
            sendError(res, 503, ErrorCode.UPSTREAM_UNAVAILABLE, `events[${index}] (${event.topic}) could not be stored: ${stored}${skipped}`, {
              index,
              eventIds,
            });
          }
          return;
        }
      }
      requests.inc({ outcome: 'published' });
      res.status(201).json(body.shape === 'single' ? { eventId: eventIds[0] } : { eventIds });
    });
  };
}
