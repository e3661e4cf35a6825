/** The platform services part (b) starts (and the dev issuer's client helpers), by module; imported dynamically because they may not exist yet. */
export const PLATFORM_MODULES = {
  simulator: new URL('../../simulator/src/service.ts', import.meta.url),
  catalogs: new URL('../../subgraphs/catalogs/src/service.ts', import.meta.url),
  nationalData: new URL('../../subgraphs/national-data/src/service.ts', import.meta.url),
  devIssuer: new URL('../../keycloak/src/service.ts', import.meta.url),
  devClients: new URL('../../keycloak/src/dev-clients.ts', import.meta.url),
};

/** The development grants file: NODE_ENV=production leaves GRANTS_FILE unset by default, so the harness names it. */
export const DEVELOPMENT_GRANTS_FILE = 'gateway/src/authorization/grants/development-grants.json';

/** The caller of part (b): the Provincial Police's residence-management system, granted every field the query asks for. */
export const BENCH_CLIENT_ID = 'congan-h41-dancu';
/** The purpose of use it declares (X-LGSP-Purpose, `<category>:<reference>`). */
export const BENCH_PURPOSE = 'residence-management:BENCH-1';
