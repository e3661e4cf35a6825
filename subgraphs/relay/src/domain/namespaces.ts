/**
 * The relay's two namespaces (issue 16, "test and production environments"): packets sent by callers of the test
 * environment (`principal.environment === 'test'`, test credentials) live in their own stores, under their own keys
 * (`<prefix>test:relay:…`), and are served by their own `Relay`; production callers' packets by another. Every path
 * chooses its relay here and only here: GraphQL by the caller's environment, the content URLs by the namespace their
 * signed token names (and the relay honours only tokens of its own namespace), presence reports by the entry's
 * environment, the sweep runs over both. A caller of one environment therefore never reads, claims, acknowledges,
 * lists, downloads or hears of a packet of the other: there is no code path from one relay to the other's stores.
 */
import type { Environment } from '@lgsp/kit';
import type { Relay } from './relay.ts';
import { claimedEnvironment } from './url-token.ts';

export class RelayNamespaces {
  constructor(
    /** Production callers' packets (and callers without an environment). */
    readonly production: Relay,
    /** Test-environment callers' packets. */
    readonly test: Relay,
  ) {}

  /** The relay of an environment. */
  for(environment: Environment): Relay {
    return environment === 'test' ? this.test : this.production;
  }

  /** The relay that checks a content URL's token: the one of the namespace it names (a forged claim is refused there). */
  forToken(token: string): Relay {
    return this.for(claimedEnvironment(token));
  }

  /** Both, production first. */
  all(): Relay[] {
    return [this.production, this.test];
  }
}
