// The `negotiator` package (the one Apollo Server negotiates `Accept` with) ships no type declarations.
declare module 'negotiator' {
  export default class Negotiator {
    constructor(request: { headers: Record<string, string | string[] | undefined> });
    /** The best of `available` for the request's Accept header, or undefined when none is acceptable. */
    mediaType(available?: string[]): string | undefined;
  }
}
