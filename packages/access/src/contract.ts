/** Tests only (`@lgsp/access/contract`): the contract suites every adapter passes, and sample values. */
export * from './grants/grant-store.contract.ts';
export * from './revocations/credential-revocations.contract.ts';
export * from './changes/change-log.contract.ts';
