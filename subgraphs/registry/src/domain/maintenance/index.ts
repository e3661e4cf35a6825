/** Maintenance windows and incidents of the platform (DL:12.6, DL:13.5). */
export * from './model.ts';
export * from './rules.ts';
export * from './maintenance.ts';
