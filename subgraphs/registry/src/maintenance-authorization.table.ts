/**
 * Who may do what with maintenance windows and incidents, as data (the callers of authorization.table.ts, a citizen
 * among them): `ok` the call passed and did its work (a list: it holds the record the cell made), `hidden` it answered
 * null or a list without that record (an incident of another agency), an error code the `extensions.code` expected. maintenance-authorization.test.ts walks every cell over HTTP. The incident of the
 * table affects JUSTICE (the consumer agency of authorization.table.ts).
 */
import { callers, type CallerName } from './authorization.table.ts';

export type MaintenanceOutcome = 'ok' | 'hidden' | 'FORBIDDEN';

export interface MaintenanceMatrixRow {
  operation:
    | 'announceMaintenance'
    | 'changeMaintenance'
    | 'cancelMaintenance'
    | 'maintenanceWindows'
    | 'recordIncident'
    | 'updateIncident'
    | 'resolveIncident'
    | 'incident (affecting JUSTICE)'
    | 'incidents (affecting every agency)';
  outcomes: Record<CallerName, MaintenanceOutcome>;
}

const each = (outcome: MaintenanceOutcome, except: Partial<Record<CallerName, MaintenanceOutcome>>): Record<CallerName, MaintenanceOutcome> =>
  Object.fromEntries(Object.keys(callers).map((name) => [name, except[name] ?? outcome])) as Record<CallerName, MaintenanceOutcome>;
const operatorOnly = each('FORBIDDEN', { operator: 'ok' });

export const maintenanceMatrix: MaintenanceMatrixRow[] = [
  { operation: 'announceMaintenance', outcomes: operatorOnly },
  { operation: 'changeMaintenance', outcomes: operatorOnly },
  { operation: 'cancelMaintenance', outcomes: operatorOnly },
  // DL:12.6: every signed-in caller learns of the windows — citizens and agency developers included (the portal's banner).
  { operation: 'maintenanceWindows', outcomes: each('ok', {}) },
  { operation: 'recordIncident', outcomes: operatorOnly },
  { operation: 'updateIncident', outcomes: operatorOnly },
  { operation: 'resolveIncident', outcomes: operatorOnly },
  {
    operation: 'incident (affecting JUSTICE)',
    outcomes: each('hidden', { operator: 'ok', 'consumer admin': 'ok', 'consumer system': 'ok', 'civil servant': 'ok', 'consumer developer': 'ok' }),
  },
  // An incident of the whole platform (no agency named) is listed to everyone signed in, citizens included.
  { operation: 'incidents (affecting every agency)', outcomes: each('ok', {}) },
];
