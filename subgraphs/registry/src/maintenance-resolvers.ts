/** GraphQL ↔ the maintenance domain (domain/maintenance/): windows and incidents; resolvers.ts spreads these in. */
import type { RegistryContext } from './resolvers.ts';
import { ErrorCode, LgspError } from '@lgsp/kit';
import type { Caller } from './domain/caller.ts';
import type { IncidentChange, MaintenanceWindowChange, NewIncident, NewMaintenanceWindow } from './domain/maintenance/index.ts';

function signedIn(ctx: RegistryContext): Caller {
  if (ctx.principal.kind === 'anonymous') throw new LgspError(ErrorCode.UNAUTHENTICATED, 'sign in to use the registry');
  return ctx.caller;
}

export const maintenanceResolvers = {
  Query: {
    async maintenanceWindows(_: unknown, args: { from?: string | null; to?: string | null; includePast?: boolean | null }, ctx: RegistryContext) {
      signedIn(ctx);
      return ctx.registry.maintenance.windows(args);
    },
    async maintenanceWindow(_: unknown, args: { id: string }, ctx: RegistryContext) {
      signedIn(ctx);
      return ctx.registry.maintenance.window(args.id);
    },
    async incidents(_: unknown, args: { from?: string | null; to?: string | null; open?: boolean | null }, ctx: RegistryContext) {
      return ctx.registry.maintenance.incidents(signedIn(ctx), args);
    },
    async incident(_: unknown, args: { id: string }, ctx: RegistryContext) {
      return ctx.registry.maintenance.incident(signedIn(ctx), args.id);
    },
  },
  Mutation: {
    async announceMaintenance(_: unknown, args: { input: NewMaintenanceWindow }, ctx: RegistryContext) {
      return ctx.registry.maintenance.announce(signedIn(ctx), args.input);
    },
    async changeMaintenance(_: unknown, args: { id: string; input: MaintenanceWindowChange }, ctx: RegistryContext) {
      return ctx.registry.maintenance.change(signedIn(ctx), args.id, args.input);
    },
    async cancelMaintenance(_: unknown, args: { id: string; reason: string }, ctx: RegistryContext) {
      return ctx.registry.maintenance.cancel(signedIn(ctx), args.id, args.reason);
    },
    async recordIncident(_: unknown, args: { input: NewIncident }, ctx: RegistryContext) {
      return ctx.registry.maintenance.recordIncident(signedIn(ctx), args.input);
    },
    async updateIncident(_: unknown, args: { id: string; input: IncidentChange }, ctx: RegistryContext) {
      return ctx.registry.maintenance.updateIncident(signedIn(ctx), args.id, args.input);
    },
    async resolveIncident(_: unknown, args: { id: string; resolution: string }, ctx: RegistryContext) {
      return ctx.registry.maintenance.resolveIncident(signedIn(ctx), args.id, args.resolution);
    },
  },
};
