/**
 * The `@lgsp/access` ChangeLog as the registry uses it: every registry change records who, when, what before and after
 * (the next issue chains these records). The registry's tests use that package's in-memory one.
 */
import type { ChangeInput, ChangeLog as AccessChangeLog, ChangeRecord } from '@lgsp/access';

export type { ChangeInput, ChangeRecord };

/** The part of `@lgsp/access`'s ChangeLog the registry uses. */
export type ChangeLog = Pick<AccessChangeLog, 'append' | 'list'>;
