/**
 * The notices in the schema the gateway serves: every coordinate with a notice carries `@deprecated(reason:)` in the
 * supergraph Apollo Gateway loads, so the API schema (introspection: `isDeprecated`, `deprecationReason`; GraphiQL;
 * code generators) says what is going away. A supergraph manager wrapping another (Apollo `gateway-js` style): the
 * supergraph file's updates pass through with the notices applied, and a change of notices updates the schema.
 */
import type { SupergraphManager } from '@apollo/gateway';
import type { Logger } from '@lgsp/kit';
import { Kind, parse, print, visit, type ConstDirectiveNode, type DirectiveNode } from 'graphql';
import type { DeprecationNotice, DeprecationNotices } from './notices.ts';

/** The reason each coordinate is deprecated with: the notice sunsetting first wins when several name one field. */
export function reasonsByCoordinate(notices: readonly DeprecationNotice[]): Map<string, string> {
  const byCoordinate = new Map<string, DeprecationNotice>();
  for (const notice of notices) {
    const known = byCoordinate.get(notice.coordinate);
    if (known === undefined || Date.parse(notice.sunsetAt) < Date.parse(known.sunsetAt)) byCoordinate.set(notice.coordinate, notice);
  }
  return new Map([...byCoordinate].map(([coordinate, notice]) => [coordinate, notice.reason]));
}

function deprecatedDirective(reason: string): ConstDirectiveNode {
  return {
    kind: Kind.DIRECTIVE,
    name: { kind: Kind.NAME, value: 'deprecated' },
    arguments: [{ kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: 'reason' }, value: { kind: Kind.STRING, value: reason } }],
  };
}

/**
 * The supergraph SDL with `@deprecated(reason:)` on every object or interface field and enum value a notice names
 * (replacing a `@deprecated` the subgraph wrote). Answers the SDL unchanged (the same string) when no notice names
 * anything in it; `unmatched` lists the coordinates that name nothing.
 */
export function applyDeprecations(supergraphSdl: string, notices: readonly DeprecationNotice[]): { sdl: string; unmatched: string[] } {
  const reasons = reasonsByCoordinate(notices);
  if (reasons.size === 0) return { sdl: supergraphSdl, unmatched: [] };
  const matched = new Set<string>();
  const mark = <N extends { directives?: readonly DirectiveNode[] | undefined }>(node: N, coordinate: string): N | undefined => {
    const reason = reasons.get(coordinate);
    if (reason === undefined) return undefined;
    matched.add(coordinate);
    return { ...node, directives: [...(node.directives ?? []).filter((d) => d.name.value !== 'deprecated'), deprecatedDirective(reason)] };
  };
  const document = parse(supergraphSdl);
  const marked = visit(document, {
    ObjectTypeDefinition: (type) => ({ ...type, fields: type.fields?.map((f) => mark(f, `${type.name.value}.${f.name.value}`) ?? f) }),
    InterfaceTypeDefinition: (type) => ({ ...type, fields: type.fields?.map((f) => mark(f, `${type.name.value}.${f.name.value}`) ?? f) }),
    EnumTypeDefinition: (type) => ({ ...type, values: type.values?.map((v) => mark(v, `${type.name.value}.${v.name.value}`) ?? v) }),
  });
  const unmatched = [...reasons.keys()].filter((c) => !matched.has(c));
  return { sdl: matched.size === 0 ? supergraphSdl : print(marked), unmatched };
}

/** `inner` (the supergraph file) with the notices applied to every supergraph it hands Apollo Gateway. */
export function withDeprecations(inner: SupergraphManager, notices: DeprecationNotices, logger: Logger): SupergraphManager {
  const log = logger.child({ component: 'deprecation' });
  let reported = '';
  const applied = (sdl: string): string => {
    try {
      const { sdl: marked, unmatched } = applyDeprecations(sdl, notices.current());
      const report = unmatched.join(',');
      if (report !== '' && report !== reported) log.warn({ coordinates: unmatched }, 'deprecation notices name fields the supergraph does not have');
      reported = report;
      return marked;
    } catch (error) {
      log.error({ err: error }, 'deprecation notices could not be applied; the schema is served without them');
      return sdl;
    }
  };
  return {
    async initialize(hooks) {
      let latest: string | undefined;
      const started = await inner.initialize({
        ...hooks,
        update(sdl) {
          latest = sdl;
          hooks.update(applied(sdl));
        },
      });
      latest ??= started.supergraphSdl;
      const stop = notices.onChange(() => {
        try {
          hooks.update(applied(latest!));
          log.info({ notices: notices.current().length }, 'schema updated with the deprecation notices');
        } catch (error) {
          log.error({ err: error }, 'the schema with the new deprecation notices was refused; the previous one keeps serving');
        }
      });
      return {
        supergraphSdl: applied(started.supergraphSdl),
        async cleanup() {
          stop();
          await started.cleanup?.();
        },
      };
    },
  };
}
