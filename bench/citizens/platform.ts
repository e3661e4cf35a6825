/** The platform services part (b) starts, by module; imported dynamically because they may not exist yet. */
export const PLATFORM_MODULES = {
  simulator: new URL('../../simulator/src/service.ts', import.meta.url),
  catalogs: new URL('../../subgraphs/catalogs/src/service.ts', import.meta.url),
  nationalData: new URL('../../subgraphs/national-data/src/service.ts', import.meta.url),
};
