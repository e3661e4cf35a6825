/**
 * Which arguments and which response fields name a data subject (chủ thể dữ liệu), as data: the national-data
 * schema's citizen and enterprise keys. A subject is recorded when the operation names it in an argument (asked
 * for, whether or not it exists) and when a response carries it (read). The writer hashes each one before it leaves
 * the process (@lgsp/audit subjects.ts); the clear values live only in this request's memory.
 */
import type { SubjectKind, SubjectRef } from '@lgsp/audit';
import { Kind, type ValueNode } from 'graphql';
import type { SubjectPlan } from './operation-analysis.ts';

/** Arguments naming subjects: by argument name, optionally only on fields returning a given type. */
export const SUBJECT_ARGUMENTS: ReadonlyArray<{ argument: string; returns?: string; kind: SubjectKind }> = [
  { argument: 'personalId', kind: 'personal-id' },
  { argument: 'personalIds', kind: 'personal-id' },
  { argument: 'enterpriseCode', kind: 'enterprise-code' },
  { argument: 'enterpriseCodes', kind: 'enterprise-code' },
  // `code` names many things (administrative units, ethnic groups, …): only an enterprise's is a subject.
  { argument: 'code', returns: 'Enterprise', kind: 'enterprise-code' },
];

/** Response fields whose value is a subject: by field name, optionally only on a given type. */
export const SUBJECT_FIELDS: ReadonlyArray<{ field: string; type?: string; kind: SubjectKind }> = [
  // Citizen.personalId, HouseholdMember.personalId, LegalRepresentative.personalId, …
  { field: 'personalId', kind: 'personal-id' },
  { field: 'code', type: 'Enterprise', kind: 'enterprise-code' },
  { field: 'enterpriseCode', kind: 'enterprise-code' },
];

/**
 * Fields whose subject is the caller (self-access, authorization/self-access.ts): selecting one names the caller's own
 * personal ID or enterprise code as a subject, whether or not the response carries it, so that a citizen's own reads
 * are in their access history like anyone else's reads of their data.
 */
export const CALLER_SUBJECT_FIELDS: ReadonlyArray<{ coordinate: string; kind: SubjectKind; principalField: 'personalId' | 'enterpriseCode' }> = [
  { coordinate: 'Query.myCitizenRecord', kind: 'personal-id', principalField: 'personalId' },
  { coordinate: 'Query.myEnterprise', kind: 'enterprise-code', principalField: 'enterpriseCode' },
];

/**
 * Most subjects one record names (about 80 bytes each once hashed: a record stays well under the log's 64 KiB per
 * entry); beyond it the record says `details.subjectsTruncated`. A `citizens` call names at most 100.
 */
export const MAX_SUBJECTS = 400;

export function subjectArgument(argument: string, returnedType: string): SubjectKind | undefined {
  return SUBJECT_ARGUMENTS.find((r) => r.argument === argument && (r.returns === undefined || r.returns === returnedType))?.kind;
}

export function subjectField(parentType: string, field: string): SubjectKind | undefined {
  return SUBJECT_FIELDS.find((r) => r.field === field && (r.type === undefined || r.type === parentType))?.kind;
}

/** Collects distinct subjects up to MAX_SUBJECTS. */
export class SubjectCollector {
  private readonly seen = new Map<string, SubjectRef>();
  truncated = false;

  add(kind: SubjectKind, value: unknown): void {
    if (typeof value !== 'string' || value === '') return;
    const key = `${kind}\n${value}`;
    if (this.seen.has(key)) return;
    if (this.seen.size >= MAX_SUBJECTS) {
      this.truncated = true;
      return;
    }
    this.seen.set(key, { kind, value });
  }

  /** Subjects named by argument values (literals, or variables, lists of either). */
  fromArgument(kind: SubjectKind, value: ValueNode, variables: Record<string, unknown> | undefined): void {
    switch (value.kind) {
      case Kind.STRING:
        this.add(kind, value.value);
        break;
      case Kind.LIST:
        for (const item of value.values) this.fromArgument(kind, item, variables);
        break;
      case Kind.VARIABLE:
        this.fromValue(kind, variables?.[value.name.value]);
        break;
      default:
        break;
    }
  }

  /** Subjects in a response's data at the plan's paths. */
  fromResponse(plan: SubjectPlan, data: unknown): void {
    if (data === null || typeof data !== 'object') return;
    if (Array.isArray(data)) {
      for (const item of data) this.fromResponse(plan, item);
      return;
    }
    const object = data as Record<string, unknown>;
    for (const [key, node] of Object.entries(plan)) {
      const value = object[key];
      if (value === undefined || value === null) continue;
      if (node.kind !== undefined) this.fromValue(node.kind, value);
      if (node.children !== undefined) this.fromResponse(node.children, value);
    }
  }

  subjects(): SubjectRef[] {
    return [...this.seen.values()];
  }

  private fromValue(kind: SubjectKind, value: unknown): void {
    if (Array.isArray(value)) for (const item of value) this.fromValue(kind, item);
    else this.add(kind, value);
  }
}
