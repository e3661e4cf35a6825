/**
 * The roles the code defines (`Role`, `roleDefinitions` in @lgsp/kit) and the roles the realm export defines are the
 * same, with the same descriptions: the code is the one definition, the realm export the data Keycloak imports.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Role, roleDefinitions } from '@lgsp/kit';
import { loadRealmExport } from './realm.ts';

const realm = await loadRealmExport();
/** The gateway's own client: its client roles reach the principal (gateway/src/auth/principal.ts). */
const GATEWAY_CLIENT = 'lgsp-gateway';
/** Roles Keycloak creates in every realm; they grant nothing on the platform. */
const keycloakBuiltIn = new Set([`default-roles-${realm.realm}`, 'offline_access', 'uma_authorization']);

const described = (roles: Array<{ name: string; description?: string }>) =>
  Object.fromEntries(roles.map((role) => [role.name, role.description ?? null]).sort(([a], [b]) => String(a).localeCompare(String(b))));
const definedAs = (keycloak: 'realm' | 'gateway-client') =>
  Object.fromEntries(
    Object.entries(roleDefinitions)
      .filter(([, definition]) => definition.keycloak === keycloak)
      .map(([name, definition]) => [name, definition.description])
      .sort(([a], [b]) => a!.localeCompare(b!)),
  );

describe('roles: the code and the realm export define the same', () => {
  it("realm roles (besides Keycloak's own), with the same descriptions", () => {
    assert.deepEqual(described(realm.roles.realm.filter((role) => !keycloakBuiltIn.has(role.name))), definedAs('realm'));
  });

  it(`client roles of ${GATEWAY_CLIENT}, with the same descriptions; no other client defines roles`, () => {
    assert.deepEqual(described(realm.roles.client[GATEWAY_CLIENT] ?? []), definedAs('gateway-client'));
    assert.deepEqual(Object.keys(realm.roles.client), [GATEWAY_CLIENT]);
  });

  it('every Role constant has a definition, and every definition a constant', () => {
    assert.deepEqual(Object.values(Role).sort(), Object.keys(roleDefinitions).sort());
  });
});
