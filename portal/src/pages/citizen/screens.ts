/** The pages of this folder: one chunk, loaded on demand by index.tsx (see shell/lazy.ts). */
export { MyDataAccesses } from './MyDataAccesses.tsx';
export { MyRecord } from './MyRecord.tsx';
