/**
 * Onboarding as explicit state machines (issue 16, R7): the access request (form 02) and the provider registration
 * (form 01), each a table of transitions that one test walks. Pure: no store, no clock, no GraphQL.
 */
export * from './machine.ts';
export * from './access-request.ts';
export * from './provider-registration.ts';
