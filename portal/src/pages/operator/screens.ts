/** The pages of this folder: one chunk, loaded on demand by index.tsx (see shell/lazy.ts). */
export { Agencies } from './Agencies.tsx';
export { Approvals } from './Approvals.tsx';
export { Audit } from './Audit.tsx';
export { Health } from './Health.tsx';
export { Maintenance } from './Maintenance.tsx';
export { Reports } from './Reports.tsx';
