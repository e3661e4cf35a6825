// One GraphQL request to the gateway with plain fetch: a fresh token, the purpose of use, the answer printed.
// Node 20+, no packages.
//
//   LGSP_GATEWAY_URL  default http://localhost:4000/graphql
//   LGSP_PURPOSE      the purpose of use, <category>:<reference> (personal data needs it); Vietnamese welcome
//   and the LGSP_REALM_URL, LGSP_CLIENT_* of token.mjs
//
//   node docs/examples/query.mjs '{ citizen(personalId: "040074988660") { fullName } }' ['{"variable": "value"}']
import { freshAccessToken } from './token.mjs';

const gateway = process.env.LGSP_GATEWAY_URL ?? 'http://localhost:4000/graphql';
const [query, variables = '{}'] = process.argv.slice(2);

const headers = {
  authorization: `Bearer ${await freshAccessToken()}`,
  'content-type': 'application/json',
  accept: 'application/graphql-response+json',
};
// Header values are ASCII: a purpose in Vietnamese goes percent-encoded as UTF-8 (the gateway decodes it).
if (process.env.LGSP_PURPOSE) headers['x-lgsp-purpose'] = encodeURIComponent(process.env.LGSP_PURPOSE);

const response = await fetch(gateway, { method: 'POST', headers, body: JSON.stringify({ query, variables: JSON.parse(variables) }) });
const result = await response.json();
console.log(JSON.stringify(result, null, 2));
// Every error has extensions.code; fields you may not read are null with UNAUTHORIZED_FIELD_OR_TYPE.
process.exitCode = response.ok && !result.errors ? 0 : 1;
