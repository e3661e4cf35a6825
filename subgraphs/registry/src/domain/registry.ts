/**
 * The registry (sổ đăng ký): agencies, systems, services and access requests over one set of ports, and the sweep
 * that applies scheduled agency changes and flags overdue requests and registrations.
 */
import { AccessRequests } from './access-requests.ts';
import { Applications } from './applications.ts';
import { createMemoryApplicationClients } from '../ports/application-clients.ts';
import { Agencies } from './agencies.ts';
import type { Caller } from './caller.ts';
import { RegistryCore, type RegistryDeps } from './registry-core.ts';
import { Maintenance } from './maintenance/index.ts';
import { Services } from './services.ts';
import { Systems } from './systems.ts';

/** The platform acting on its own (the sweep), in history and the change log. */
export const PLATFORM: Caller = {
  name: 'system',
  agencyCode: null,
  operator: true,
  agencyAdmin: false,
  agencyDeveloper: false,
  citizen: false,
  dataProvider: false,
  actor: { kind: 'system', username: 'lgsp-registry' },
};

export interface SweepResult {
  agencyChangesApplied: number;
  accessRequestsFlagged: number;
  accessRequestsOverdue: number;
  registrationsFlagged: number;
  registrationsOverdue: number;
  /** Maintenance windows' STARTED and ENDED events published. */
  maintenanceAnnounced: number;
}

export class Registry {
  readonly core: RegistryCore;
  readonly agencies: Agencies;
  readonly systems: Systems;
  readonly accessRequests: AccessRequests;
  readonly services: Services;
  /** Maintenance windows and incidents (maintenance/). */
  readonly maintenance: Maintenance;
  /** Agencies' applications signed in to through single sign-on (BG:12). */
  readonly applications: Applications;

  constructor(deps: RegistryDeps) {
    this.core = new RegistryCore(deps);
    this.agencies = new Agencies(this.core);
    this.systems = new Systems(this.core);
    this.accessRequests = new AccessRequests(this.core, this.systems);
    this.services = new Services(this.core, this.accessRequests);
    this.maintenance = new Maintenance(this.core);
    this.applications = new Applications(this.core, deps.applicationClients ?? createMemoryApplicationClients(), {
      allowLoopbackHttp: deps.allowLoopbackHttp ?? false,
    });
  }

  /** One pass of the periodic work (REGISTRY_SWEEP_MS). */
  async sweep(): Promise<SweepResult> {
    const agencyChangesApplied = await this.agencies.applyDue(PLATFORM);
    const requests = await this.accessRequests.flagOverdue(PLATFORM);
    const registrations = await this.services.flagOverdue(PLATFORM);
    const maintenanceAnnounced = await this.maintenance.announceDue(PLATFORM);
    return {
      agencyChangesApplied,
      accessRequestsFlagged: requests.flagged,
      accessRequestsOverdue: requests.overdueNow,
      registrationsFlagged: registrations.flagged,
      registrationsOverdue: registrations.overdueNow,
      maintenanceAnnounced,
    };
  }
}
