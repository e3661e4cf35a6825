/** The pages of this folder: one chunk, loaded on demand by index.tsx (see shell/lazy.ts). */
export { Request } from './Request.tsx';
export { Requests } from './Requests.tsx';
export { ServiceVersions } from './ServiceVersions.tsx';
