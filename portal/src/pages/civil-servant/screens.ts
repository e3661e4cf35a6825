/** The pages of this folder: one chunk, loaded on demand by index.tsx (see shell/lazy.ts). */
export { Launcher } from './Launcher.tsx';
export { Manage } from './Manage.tsx';
