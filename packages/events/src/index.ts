export * from './topics.ts';
export * from './keys.ts';
export * from './limits.ts';
export * from './event-publisher.ts';
export * from './redis-publisher.ts';
export * from './http-publisher.ts';
export * from './memory-publisher.ts';
