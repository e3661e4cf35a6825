/** The pages of this folder: one chunk, loaded on demand by index.tsx (see shell/lazy.ts). */
export { DataAccess } from './DataAccess.tsx';
export { Packets } from './Packets.tsx';
export { Services } from './Services.tsx';
export { Statistics } from './Statistics.tsx';
export { Systems } from './Systems.tsx';
