/**
 * Information systems (hệ thống thông tin) of agencies, and their credentials: one Keycloak client per system and
 * environment, issued once an access request of the system is in force there (test from TESTING, production once
 * LIVE). Disabling or deleting a credential also revokes it at the gateway (CredentialRevocations), which refuses
 * its tokens within the gateway's stated bound.
 */
import { ErrorCode, LgspError, type Environment } from '@lgsp/kit';
import type { IssuedCredential } from '../ports/credentials.ts';
import { actsForAgency, holdsCredentialsOf, type Caller } from './caller.ts';
import { checkCredentialKey } from './credential-keys.ts';
import { servesEnvironment } from './environments.ts';
import type { CredentialMethod, HealthEndpoint, InformationSystem, SystemContact } from './model.ts';
import { stamped, type RegistryCore } from './registry-core.ts';
import { badInput, checkAgencyCode, checkEmail, checkPositiveInt, checkSlug, checkText, checkUrl } from './validation.ts';

export interface NewSystem {
  agencyCode: string;
  /** The part after `<agency code>:` in the system id. */
  slug: string;
  name: string;
  purpose: string;
  contacts: SystemContact[];
  environments: Environment[];
  healthEndpoints: HealthEndpoint[];
}

export interface SystemPatch {
  name?: string | null;
  purpose?: string | null;
  contacts?: SystemContact[] | null;
  environments?: Environment[] | null;
  healthEndpoints?: HealthEndpoint[] | null;
}

export interface CredentialRequest {
  environment: Environment;
  method: CredentialMethod;
  publicKeyPem?: string | null;
  jwksUrl?: string | null;
}

/**
 * The Keycloak client id of a system's credential: `<agency code>.<slug>.<environment>` in lower case (client ids
 * are lower-case letters, digits, `.`, `_`, `-`), e.g. `000.00.03.h41.dang-ky-kinh-doanh.test`.
 */
export function credentialClientId(systemId: string, environment: Environment): string {
  return `${systemId.replace(':', '.')}.${environment}`.toLowerCase();
}

function checkContacts(contacts: SystemContact[]): SystemContact[] {
  return contacts.map((c, i) => ({
    name: checkText(c.name, `contacts[${i}].name`, 200),
    email: checkEmail(c.email, `contacts[${i}].email`),
    phone: c.phone ? checkText(c.phone, `contacts[${i}].phone`, 40) : null,
    role: c.role,
  }));
}

function checkHealth(endpoints: HealthEndpoint[]): HealthEndpoint[] {
  return endpoints.map((e, i) => {
    if (e.level !== 1 && e.level !== 2) throw badInput(`healthEndpoints[${i}].level`, 'must be 1 or 2');
    return {
      level: e.level,
      url: checkUrl(e.url, `healthEndpoints[${i}].url`),
      intervalSeconds: checkPositiveInt(e.intervalSeconds, `healthEndpoints[${i}].intervalSeconds`, 86_400),
    };
  });
}

function checkEnvironments(environments: Environment[]): Environment[] {
  const unique = [...new Set(environments)];
  if (unique.length === 0) throw badInput('environments', 'name at least one environment');
  return unique;
}

export class Systems {
  constructor(private readonly core: RegistryCore) {}

  async list(filter: { agencyCode?: string | null } = {}): Promise<InformationSystem[]> {
    const all = await this.core.store.list('systems');
    return filter.agencyCode ? all.filter((s) => s.agencyCode === filter.agencyCode) : all;
  }

  async get(id: string): Promise<InformationSystem | null> {
    return this.core.store.get('systems', id);
  }

  /** The system, when the caller may see its details (operator, or its agency). */
  requireVisible(caller: Caller, system: InformationSystem): void {
    if (!caller.operator && caller.agencyCode !== system.agencyCode) throw new LgspError(ErrorCode.FORBIDDEN, `system ${system.id} belongs to another agency`);
  }

  async register(caller: Caller, input: NewSystem): Promise<InformationSystem> {
    const agencyCode = checkAgencyCode(input.agencyCode, 'agencyCode');
    if (!actsForAgency(caller, agencyCode))
      throw new LgspError(ErrorCode.FORBIDDEN, `only the operator or an administrator of ${agencyCode} may register its systems`);
    const agency = await this.core.get('agencies', agencyCode, 'agency');
    if (agency.status !== 'ACTIVE') throw new LgspError(ErrorCode.ILLEGAL_TRANSITION, `agency ${agencyCode} is ${agency.status}`);
    const id = `${agencyCode}:${checkSlug(input.slug, 'slug')}`;
    if ((await this.core.store.get('systems', id)) !== null) throw new LgspError(ErrorCode.ALREADY_EXISTS, `system ${id} is already registered`);
    const system: InformationSystem = stamped(
      {
        id,
        agencyCode,
        name: checkText(input.name, 'name', 300),
        purpose: checkText(input.purpose, 'purpose', 2000),
        contacts: checkContacts(input.contacts),
        environments: checkEnvironments(input.environments),
        healthEndpoints: checkHealth(input.healthEndpoints),
        credentials: [],
        revision: 0,
        createdAt: '',
        updatedAt: '',
      },
      this.core.now(),
      true,
    );
    await this.core.apply(caller, [], () => ({
      writes: [{ collection: 'systems', record: system, expectedRevision: 0 }],
      notes: [{ entity: 'InformationSystem', entityId: id, action: 'REGISTER', before: null, after: system }],
      announcements: [],
    }));
    return (await this.get(id))!;
  }

  async update(caller: Caller, id: string, patch: SystemPatch): Promise<InformationSystem> {
    const before = await this.core.get('systems', id, 'system');
    if (!actsForAgency(caller, before.agencyCode))
      throw new LgspError(ErrorCode.FORBIDDEN, `only the operator or an administrator of ${before.agencyCode} may change its systems`);
    const after = stamped(
      {
        ...before,
        name: patch.name ? checkText(patch.name, 'name', 300) : before.name,
        purpose: patch.purpose ? checkText(patch.purpose, 'purpose', 2000) : before.purpose,
        contacts: patch.contacts ? checkContacts(patch.contacts) : before.contacts,
        environments: patch.environments ? checkEnvironments(patch.environments) : before.environments,
        healthEndpoints: patch.healthEndpoints ? checkHealth(patch.healthEndpoints) : before.healthEndpoints,
      },
      this.core.now(),
    );
    await this.core.apply(caller, [], () => ({
      writes: [{ collection: 'systems', record: after, expectedRevision: before.revision }],
      notes: [{ entity: 'InformationSystem', entityId: id, action: 'UPDATE', before, after }],
      announcements: [],
    }));
    return (await this.get(id))!;
  }

  /**
   * Creates the system's Keycloak client for an environment (secret shown once, in the answer only). Needs an
   * access request of the system in force there; a second credential of one environment is ALREADY_EXISTS (rotate it).
   */
  async issueCredential(caller: Caller, systemId: string, request: CredentialRequest): Promise<{ system: InformationSystem; issued: IssuedCredential }> {
    const system = await this.core.get('systems', systemId, 'system');
    if (!holdsCredentialsOf(caller, system.agencyCode))
      throw new LgspError(ErrorCode.FORBIDDEN, `only an administrator or developer of ${system.agencyCode} may obtain its systems' credentials`);
    if (!system.environments.includes(request.environment))
      throw badInput('environment', `system ${systemId} is not registered for the ${request.environment} environment`);
    const requests = (await this.core.store.list('accessRequests')).filter(
      (r) => r.consumerSystem === systemId && servesEnvironment(r.state, request.environment),
    );
    if (requests.length === 0) {
      throw new LgspError(
        ErrorCode.ILLEGAL_TRANSITION,
        `system ${systemId} has no access request in force in the ${request.environment} environment (${request.environment === 'test' ? 'TESTING or later' : 'LIVE'})`,
      );
    }
    const clientId = credentialClientId(systemId, request.environment);
    if (system.credentials.some((c) => c.clientId === clientId))
      throw new LgspError(ErrorCode.ALREADY_EXISTS, `system ${systemId} already has a ${request.environment} credential ${clientId}: rotate it`);
    const key = checkCredentialKey(request.method, request);
    let issued: IssuedCredential | undefined;
    const now = this.core.now();
    await this.core.apply(
      caller,
      [
        async () => {
          issued = await this.core.issuer.create({
            clientId,
            agencyCode: system.agencyCode,
            systemId,
            environment: request.environment,
            method: request.method,
            ...key,
            name: `${system.name} (${request.environment})`,
          });
          return { what: `create Keycloak client ${clientId}`, undo: () => this.core.issuer.remove(clientId) };
        },
      ],
      () => {
        const after = stamped(
          {
            ...system,
            credentials: [
              ...system.credentials,
              { clientId, environment: request.environment, method: request.method, enabled: true, createdAt: now.toISOString() },
            ],
          },
          now,
        );
        return {
          writes: [{ collection: 'systems', record: after, expectedRevision: system.revision }],
          notes: [
            {
              entity: 'Credential',
              entityId: clientId,
              action: 'ISSUE',
              before: null,
              after: { clientId, systemId, environment: request.environment, method: request.method },
            },
          ],
          announcements: [],
        };
      },
    );
    return { system: (await this.get(systemId))!, issued: issued! };
  }

  /** A new secret (client-secret-jwt) or key (client-jwt) for a credential; the old one stops working. */
  async rotateCredential(caller: Caller, clientId: string, key: { publicKeyPem?: string | null; jwksUrl?: string | null } = {}): Promise<IssuedCredential> {
    const { system, credential } = await this.credentialOf(caller, clientId, 'hold');
    const issued = await this.core.issuer.rotate(clientId, checkCredentialKey(credential.method, key));
    await this.core.apply(caller, [], () => ({
      writes: [],
      notes: [{ entity: 'Credential', entityId: clientId, action: 'ROTATE', before: null, after: { clientId, systemId: system.id } }],
      announcements: [],
    }));
    return issued;
  }

  /** Disables (revoking at the gateway) or enables a credential. */
  async setCredentialEnabled(caller: Caller, clientId: string, enabled: boolean, reason: string): Promise<InformationSystem> {
    const { system, credential } = await this.credentialOf(caller, clientId);
    checkText(reason, 'reason');
    if (enabled) {
      // A credential serves only while a request of its system is in force in its environment.
      const inForce = (await this.core.store.list('accessRequests')).some(
        (r) => r.consumerSystem === system.id && servesEnvironment(r.state, credential.environment),
      );
      if (!inForce)
        throw new LgspError(ErrorCode.ILLEGAL_TRANSITION, `system ${system.id} has no access request in force in the ${credential.environment} environment`);
    }
    const now = this.core.now();
    await this.core.apply(caller, this.credentialEffects(clientId, enabled, reason, caller.name), () => ({
      writes: [{ collection: 'systems', record: stamped(withCredentialEnabled(system, clientId, enabled), now), expectedRevision: system.revision }],
      notes: [{ entity: 'Credential', entityId: clientId, action: enabled ? 'ENABLE' : 'DISABLE', before: { enabled: !enabled }, after: { enabled, reason } }],
      announcements: [],
    }));
    return (await this.get(system.id))!;
  }

  /** Deletes a credential's Keycloak client (its tokens stop working: revoked at the gateway first). */
  async deleteCredential(caller: Caller, clientId: string, reason: string): Promise<InformationSystem> {
    const { system, credential } = await this.credentialOf(caller, clientId);
    const now = this.core.now();
    await this.core.apply(
      caller,
      [
        async () => {
          const wasRevoked = await this.core.revocations.isRevoked(clientId);
          await this.core.revocations.revoke(clientId, { at: now.toISOString(), reason: reason.slice(0, 500), by: caller.name });
          return {
            what: `revoke ${clientId}`,
            undo: async () => {
              if (!wasRevoked) await this.core.revocations.restore(clientId);
            },
          };
        },
        async () => {
          await this.core.issuer.remove(clientId);
          // A deleted Keycloak client cannot be brought back with its secret: nothing to undo but the record.
          return null;
        },
      ],
      () => ({
        writes: [
          {
            collection: 'systems',
            record: stamped({ ...system, credentials: system.credentials.filter((c) => c.clientId !== clientId) }, now),
            expectedRevision: system.revision,
          },
        ],
        notes: [{ entity: 'Credential', entityId: clientId, action: 'DELETE', before: credential, after: null }],
        announcements: [],
      }),
    );
    return (await this.get(system.id))!;
  }

  /** Effects that disable (and revoke) or enable (and restore) a Keycloak client, each with its undo. */
  credentialEffects(clientId: string, enabled: boolean, reason: string, by: string) {
    return [
      async () => {
        await this.core.issuer.setEnabled(clientId, enabled);
        return { what: `${enabled ? 'enable' : 'disable'} ${clientId}`, undo: () => this.core.issuer.setEnabled(clientId, !enabled) };
      },
      async () => {
        const wasRevoked = await this.core.revocations.isRevoked(clientId);
        if (enabled) await this.core.revocations.restore(clientId);
        else await this.core.revocations.revoke(clientId, { at: this.core.now().toISOString(), reason: reason.slice(0, 500), by });
        return {
          what: `${enabled ? 'restore' : 'revoke'} ${clientId}`,
          undo: async () => {
            if (wasRevoked && enabled) await this.core.revocations.revoke(clientId, { at: this.core.now().toISOString(), reason: 'undo', by });
            if (!wasRevoked && !enabled) await this.core.revocations.restore(clientId);
          },
        };
      },
    ];
  }

  /**
   * The credential and its system, when the caller may `hold` it (obtain, rotate: also the agency's developer) or
   * `manage` it (disable, enable, delete: the operator and the agency's administrator).
   */
  private async credentialOf(caller: Caller, clientId: string, may: 'hold' | 'manage' = 'manage') {
    const system = (await this.core.store.list('systems')).find((s) => s.credentials.some((c) => c.clientId === clientId));
    if (system === undefined) throw new LgspError(ErrorCode.NOT_FOUND, `no credential ${clientId}`);
    if (may === 'hold' ? !holdsCredentialsOf(caller, system.agencyCode) : !actsForAgency(caller, system.agencyCode))
      throw new LgspError(
        ErrorCode.FORBIDDEN,
        may === 'hold'
          ? `only the operator or an administrator or developer of ${system.agencyCode} may rotate its credentials`
          : `only the operator or an administrator of ${system.agencyCode} may manage its credentials`,
      );
    return { system, credential: system.credentials.find((c) => c.clientId === clientId)! };
  }
}

/** The system with one credential's `enabled` flag set. */
export function withCredentialEnabled(system: InformationSystem, clientId: string, enabled: boolean): InformationSystem {
  return { ...system, credentials: system.credentials.map((c) => (c.clientId === clientId ? { ...c, enabled } : c)) };
}
