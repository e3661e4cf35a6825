/**
 * Telling a caller that its operation selected a deprecated field (issue 16 point 8), as one step of the request
 * pipeline, on either transport:
 *
 * - over HTTP, response header fields:
 *   - `Deprecation: @<unix seconds>` (RFC 9745 §2: a Structured Field Date) — the earliest `deprecatedAt` of the
 *     notices of the fields it selected (a date in the future says the field will be deprecated then);
 *   - `Sunset: <IMF-fixdate>` (RFC 8594 §3: an HTTP-date) — the earliest `sunsetAt`, when the operation will stop
 *     working as written (RFC 9745 §4: not earlier than the Deprecation date, which the notices guarantee);
 *   - `Link: <…#<notice id>>; rel="deprecation"; type="text/html"` (RFC 9745 §3), one per notice: the human-readable
 *     notice on the gateway's /deprecations page (or under DEPRECATION_INFO_URL).
 * - over graphql-ws, which has no headers, the same facts in the result's `extensions.deprecation`
 *   (`{ deprecation, sunset, links, notices }`), and in every event of a subscription.
 *
 * A field counts when the executed operation or a fragment of its document selects it by its coordinate
 * (`Type.field` of the type it is selected on: a field selected through an interface counts under the interface's
 * name). Meta-fields (`__typename`, introspection) never count.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import {
  getNamedType,
  isEnumType,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import type { RequestHandler } from 'express';
import type { AuthorizedSubscription, GatewayContext } from '../context.ts';
import type { PipelineStep } from '../pipeline/request-pipeline.ts';
import type { DeprecationNotice, DeprecationNotices } from './notices.ts';

/** The path of the gateway's page listing the notices in force (the default target of `Link: rel="deprecation"`). */
export const DEPRECATIONS_PATH = '/deprecations';

/** What graphql-ws results carry in `extensions.deprecation` (and HTTP responses in their header fields). */
export interface DeprecationFacts {
  /** The `Deprecation` field value: `@<unix seconds>`. */
  deprecation: string;
  /** The `Sunset` field value: an HTTP-date. */
  sunset: string;
  /** The `rel="deprecation"` link targets, one per notice. */
  links: string[];
  /** The notices of the selected fields. */
  notices: Array<Pick<DeprecationNotice, 'id' | 'coordinate' | 'reason' | 'deprecatedAt' | 'sunsetAt' | 'serviceCode' | 'version'>>;
}

/** RFC 9745 §2.1: `@` and the integer seconds since the epoch (RFC 9651 Date). */
export function deprecationFieldValue(instant: string): string {
  return `@${Math.floor(Date.parse(instant) / 1000)}`;
}

/** RFC 8594 §3 / RFC 9110 §5.6.7: IMF-fixdate, e.g. `Sat, 01 May 2027 00:00:00 GMT`. */
export function sunsetFieldValue(instant: string): string {
  return new Date(Date.parse(instant)).toUTCString();
}

/** The facts for a set of notices (none → undefined). */
export function deprecationFacts(notices: readonly DeprecationNotice[], infoUrl: string): DeprecationFacts | undefined {
  if (notices.length === 0) return undefined;
  const earliest = (pick: (n: DeprecationNotice) => string) => notices.map(pick).reduce((a, b) => (Date.parse(a) <= Date.parse(b) ? a : b));
  return {
    deprecation: deprecationFieldValue(earliest((n) => n.deprecatedAt)),
    sunset: sunsetFieldValue(earliest((n) => n.sunsetAt)),
    links: notices.map((n) => `${infoUrl}#${encodeURIComponent(n.id)}`),
    notices: notices.map(({ id, coordinate, reason, deprecatedAt, sunsetAt, serviceCode, version }) => ({
      id,
      coordinate,
      reason,
      deprecatedAt,
      sunsetAt,
      serviceCode,
      version,
    })),
  };
}

/** The `Link` field value (RFC 8288 §3): one link-value per notice. */
export function linkFieldValue(facts: DeprecationFacts): string {
  return facts.links.map((link) => `<${link}>; rel="deprecation"; type="text/html"`).join(', ');
}

/** The coordinates (`Type.field`) the operation selects, through its fragments too. */
export function selectedCoordinates(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): Set<string> {
  const coordinates = new Set<string>();
  const typeInfo = new TypeInfo(schema);
  const executed: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: [operation, ...document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION)],
  };
  visit(
    executed,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        if (parent != null && !node.name.value.startsWith('__')) coordinates.add(`${parent.name}.${node.name.value}`);
      },
      EnumValue(node) {
        const type = getNamedType(typeInfo.getInputType());
        if (isEnumType(type)) coordinates.add(`${type.name}.${node.value}`);
      },
    }),
  );
  return coordinates;
}

export interface DeprecationStepOptions {
  /** Where `Link: rel="deprecation"` points (DEPRECATION_INFO_URL, default DEPRECATIONS_PATH on the gateway). */
  infoUrl: string;
}

/** The pipeline step (server.ts lists it). */
export function deprecationStep(notices: DeprecationNotices, options: DeprecationStepOptions): PipelineStep {
  // Per document and schema: the coordinates it selects (a repeated operation is not walked again).
  const selections = new WeakMap<DocumentNode, { schema: GraphQLSchema; operation: OperationDefinitionNode; coordinates: Set<string> }>();
  const plugin: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      let facts: DeprecationFacts | undefined;
      return {
        async didResolveOperation({ schema, document, operation, contextValue }) {
          const inForce = notices.current();
          if (inForce.length === 0 || operation === undefined) return;
          let known = selections.get(document);
          if (known === undefined || known.schema !== schema || known.operation !== operation) {
            known = { schema, operation, coordinates: selectedCoordinates(schema, document, operation) };
            selections.set(document, known);
          }
          const coordinates = known.coordinates;
          facts = deprecationFacts(
            inForce.filter((n) => coordinates.has(n.coordinate)),
            options.infoUrl,
          );
          // A subscription over graphql-ws: every event carries the facts.
          const stream = contextValue.stream;
          if (facts !== undefined && stream !== undefined && operation.operation === 'subscription') {
            const carried = facts;
            contextValue.stream = {
              start: (authorized: AuthorizedSubscription) =>
                stream.start({ ...authorized, complete: (event) => withFacts(authorized.complete(event), carried) }),
            };
          }
        },
        async willSendResponse({ response, contextValue }) {
          if (facts === undefined) return;
          if (contextValue.stream === undefined) {
            response.http.headers.set('deprecation', facts.deprecation);
            response.http.headers.set('sunset', facts.sunset);
            response.http.headers.set('link', linkFieldValue(facts));
          } else if (response.body.kind === 'single') {
            response.body.singleResult = withFacts(response.body.singleResult, facts);
          }
        },
      };
    },
  };
  return { name: 'deprecation', plugin };
}

function withFacts<T extends { extensions?: Record<string, unknown> | undefined }>(result: T, facts: DeprecationFacts): T {
  return { ...result, extensions: { ...result.extensions, deprecation: facts } };
}

/**
 * GET /deprecations: the notices in force, human-readable (RFC 9745 §3 wants the link target to be), each under an
 * anchor named by its id; `Accept: application/json` gets them as JSON.
 */
export function deprecationsPage(notices: DeprecationNotices): RequestHandler {
  return (req, res) => {
    const list = [...notices.current()].sort((a, b) => a.coordinate.localeCompare(b.coordinate));
    res.setHeader('cache-control', 'no-cache');
    if (req.accepts(['text/html', 'application/json']) === 'application/json') {
      res.json({ items: list });
      return;
    }
    const rows = list
      .map(
        (n) =>
          `<tr id="${html(n.id)}"><td><code>${html(n.coordinate)}</code></td><td>${html(n.reason)}</td><td>${html(n.serviceCode)} ${html(n.version)}</td>` +
          `<td>${html(n.deprecatedAt)}</td><td>${html(n.sunsetAt)}</td></tr>`,
      )
      .join('\n');
    res
      .type('text/html; charset=utf-8')
      .send(
        `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Deprecated fields — LGSP</title></head><body>\n` +
          `<h1>Deprecated fields (trường ngừng hỗ trợ)</h1>\n<p>Fields of the LGSP graph that are deprecated and the date they go away (Sunset). ` +
          `Responses that select one carry the Deprecation, Sunset and Link headers.</p>\n` +
          `<table><thead><tr><th>field</th><th>reason</th><th>service version</th><th>deprecated</th><th>sunset</th></tr></thead><tbody>\n${rows}\n</tbody></table>\n</body></html>\n`,
      );
  };
}

function html(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
