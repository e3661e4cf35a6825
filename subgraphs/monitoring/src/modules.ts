/**
 * The modules of the monitoring subgraph, in the order their schema fragments are assembled and they start (each
 * closes in the reverse order). A module is a folder `src/<name>/` with its `schema.graphql`; module.ts says what one
 * is given and answers.
 */
import type { MonitoringModule } from './module.ts';
import { auditModule } from './audit/index.ts';
import { healthModule } from './health/index.ts';
import { reportsModule } from './reports/index.ts';

export const modules: MonitoringModule[] = [auditModule, healthModule, reportsModule()];
