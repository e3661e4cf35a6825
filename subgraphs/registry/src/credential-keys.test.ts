/**
 * A credential's key must be an RSA public key (PEM) or a JWKS URL: anything else given to `issueCredential` or
 * `rotateCredential` — a private key, a certificate, random text, a large file chosen by mistake, two keys, a weak or
 * non-RSA key — is INVALID_PUBLIC_KEY with a message saying what it is (Vietnamese first), and nothing is issued or
 * changed. Real HTTP, real internal tokens, real Redis.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { MAX_PUBLIC_KEY_PEM_LENGTH } from './domain/credential-keys.ts';
import { adminOf, developerOf, JUSTICE, OPERATOR, POLICE, startRegistryHarness, type GraphQLAnswer, type RegistryHarness } from './testing.ts';

const SYSTEM = `${JUSTICE}:ho-tich-dien-tu`;

const rsa = (bits: number) => generateKeyPairSync('rsa', { modulusLength: bits });
const publicPem = (bits = 2048) => rsa(bits).publicKey.export({ type: 'spki', format: 'pem' }).toString();
const privatePem = () => rsa(2048).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/** A self-signed X.509 certificate (its private key was thrown away): a certificate is not a public key. */
const CERTIFICATE = `-----BEGIN CERTIFICATE-----
MIIDOTCCAiGgAwIBAgIUSr2N4dewoQhHh0eDiHm1j5TyIRIwDQYJKoZIhvcNAQEL
BQAwLDEqMCgGA1UEAwwhaG8tdGljaC1kaWVuLXR1LnN0cC5uZ2hlYW4uZ292LnZu
MB4XDTI2MTIwNjIwMjUzM1oXDTM2MTIwMzIwMjUzM1owLDEqMCgGA1UEAwwhaG8t
dGljaC1kaWVuLXR1LnN0cC5uZ2hlYW4uZ292LnZuMIIBIjANBgkqhkiG9w0BAQEF
AAOCAQ8AMIIBCgKCAQEA2ddGF0cOWjEAJlt3xwI/wEfDzCE7Njln9ELHpdfmHM19
xLzYOpvOeNWwfd9bGSSu7oYpauljoDaHF2txwNAOUdWfZYsjMpM2VXQr7jzoKoWb
Bd/hAGY3PSddhIm3ZGI7BhdcyWvamuIXE34xBKJOETfvJR+3bQ3LZHeRwNzCLfiO
fUf5sUGqMRKlu5WnjrWKTDnats0ew9xxPZEJjylefA5YDfqL3/nwRVSbH3Nj/kmc
Hse1hSiWr2EPj0gHZjHtfWBbjGE2ibMY03dHyv33/CM9qsejGCcy786eFhYkZUsG
9InoQbt3XDOrKCCASsR/T+61WaGIN2N+pQaxbzZfdQIDAQABo1MwUTAdBgNVHQ4E
FgQUmjM/e9nZavVY6jJKWeBXhLJb8I8wHwYDVR0jBBgwFoAUmjM/e9nZavVY6jJK
WeBXhLJb8I8wDwYDVR0TAQH/BAUwAwEB/zANBgkqhkiG9w0BAQsFAAOCAQEAixM+
cdIkgn51Zs9KR19EdKcdmZ62CQKwJCQ9XZSYnNO0b0y7lNTBtM35szkL9NZDo8Or
YImzkHwRwsGGRrslgtASEtf+5Wps/NqSc8gKApcoRHOrXpEA3kzNZkHC3eZDYEC7
NHs5V5O7LCN8mdVI9dVSlfiFjLlW+G4kgALy6Zod+FU7pSnwyKIYlHrNjOj/r02l
XqX+UX43K9+d/IIm//itVkUTfeeiRU2SnaR/S/v/77oq64LKxdMSUo/l8DK1cDKs
D6KuZY+2i0pLWybYEKIouK95TCRmTfXZERRiYmVDduVh+ZlEP5BjKqDCKxpNMvgR
3Z7r2RB4Ti+pl15HQQ==
-----END CERTIFICATE-----
`;

/** What a developer may upload by mistake, with what the answer must say. */
const notPublicKeys: Array<[string, string, RegExp]> = [
  ['a private key (PKCS #8)', privatePem(), /khóa bí mật.*private key/s],
  ['a private key (PKCS #1)', rsa(2048).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(), /khóa bí mật.*private key/s],
  ['a certificate', CERTIFICATE, /chứng thư số.*certificate.*openssl x509 -pubkey/s],
  ['random text', 'xin chào, đây là khóa của tôi', /Không phải khóa công khai dạng PEM/],
  ['a PEM block that is not a key', '-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n', /RSA.*does not parse/s],
  ['a huge file', `${publicPem()}\n${'A'.repeat(200_000)}`, new RegExp(`quá lớn.*at most ${MAX_PUBLIC_KEY_PEM_LENGTH}`, 's')],
  ['two public keys', `${publicPem()}${publicPem()}`, /2 khối PEM.*exactly one/s],
  ['an RSA key of 1024 bits', publicPem(1024), /1024 bits/],
  ['an EC key', generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString(), /a ec key/],
];

describe('registry: a public key that is not one', () => {
  let h: RegistryHarness;
  const ok = (answer: GraphQLAnswer) => {
    assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
    return answer.data!;
  };
  const issue = (input: Record<string, unknown>, principal = developerOf(JUSTICE)) =>
    h.gql(principal, 'mutation($s: ID!, $i: IssueCredentialInput!) { issueCredential(systemId: $s, input: $i) { clientId secret } }', { s: SYSTEM, i: input });

  before(async () => {
    h = await startRegistryHarness();
    // A request of the system in force in the test environment: test credentials may be issued.
    const id = ok(
      await h.gql(developerOf(JUSTICE), 'mutation($input: AccessRequestInput!) { submitAccessRequest(input: $input) { id } }', {
        input: {
          consumerSystem: SYSTEM,
          serviceCode: 'national-data-citizen',
          fieldSets: ['national-data.citizen.basic'],
          purposes: ['civil-status'],
          legalBasis: 'Luật Hộ tịch 2014',
          expectedRequestsPerDay: 10,
          securityCommitment: { signedBy: 'Giám đốc Sở Tư pháp', text: 'Cam kết mẫu 03' },
        },
      }),
    ).submitAccessRequest.id as string;
    for (const p of [adminOf(POLICE), OPERATOR]) ok(await h.gql(p, `mutation { actOnAccessRequest(id: "${id}", action: APPROVE) { state } }`));
  });
  after(async () => {
    await h.close();
  });

  for (const [what, pem, message] of notPublicKeys) {
    it(`issueCredential refuses ${what}: INVALID_PUBLIC_KEY, nothing issued`, async () => {
      const answer = await issue({ environment: 'TEST', method: 'CLIENT_JWT', publicKeyPem: pem });
      assert.equal(answer.errors?.[0]?.extensions?.code, 'INVALID_PUBLIC_KEY', JSON.stringify(answer.errors));
      assert.equal(answer.errors?.[0]?.extensions?.argument, 'publicKeyPem');
      assert.match(answer.errors![0]!.message, message);
      assert.ok(answer.errors![0]!.message.length < 400, 'a message, not an echo of the upload');
      assert.equal(await h.issuer.get(`${JUSTICE.toLowerCase()}.ho-tich-dien-tu.test`), null);
    });
  }

  it('refuses a JWKS URL that is not https, no key for CLIENT_JWT, and a key given to CLIENT_SECRET_JWT', async () => {
    const http = await issue({ environment: 'TEST', method: 'CLIENT_JWT', jwksUrl: 'http://ho-tich.stp.nghean.gov.vn/jwks.json' });
    assert.equal(http.errors?.[0]?.extensions?.code, 'INVALID_PUBLIC_KEY');
    assert.match(http.errors![0]!.message, /https/);
    const none = await issue({ environment: 'TEST', method: 'CLIENT_JWT' });
    assert.equal(none.errors?.[0]?.extensions?.code, 'INVALID_PUBLIC_KEY');
    assert.match(none.errors![0]!.message, /exactly one of publicKeyPem and jwksUrl/);
    const both = await issue({ environment: 'TEST', method: 'CLIENT_JWT', publicKeyPem: publicPem(), jwksUrl: 'https://ho-tich.stp.nghean.gov.vn/jwks.json' });
    assert.equal(both.errors?.[0]?.extensions?.code, 'INVALID_PUBLIC_KEY');
    const secretWithKey = await issue({ environment: 'TEST', method: 'CLIENT_SECRET_JWT', publicKeyPem: publicPem() });
    assert.equal(secretWithKey.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.equal(await h.issuer.get(`${JUSTICE.toLowerCase()}.ho-tich-dien-tu.test`), null);
  });

  it('issues with an RSA public key, then refuses to rotate it to something that is not one (the key stays)', async () => {
    const issued = ok(await issue({ environment: 'TEST', method: 'CLIENT_JWT', publicKeyPem: publicPem() })).issueCredential;
    assert.equal(issued.secret, null);
    for (const [what, pem, message] of notPublicKeys) {
      const answer = await h.gql(developerOf(JUSTICE), 'mutation($c: ID!, $k: String) { rotateCredential(clientId: $c, publicKeyPem: $k) { clientId } }', {
        c: issued.clientId,
        k: pem,
      });
      assert.equal(answer.errors?.[0]?.extensions?.code, 'INVALID_PUBLIC_KEY', what);
      assert.match(answer.errors![0]!.message, message, what);
    }
    const rotated = await h.gql(developerOf(JUSTICE), 'mutation($c: ID!, $k: String) { rotateCredential(clientId: $c, publicKeyPem: $k) { clientId } }', {
      c: issued.clientId,
      k: publicPem(),
    });
    assert.equal(rotated.errors, undefined, JSON.stringify(rotated.errors));
    const changes = await h.changes.list({ entity: 'Credential', id: issued.clientId, limit: 10 });
    assert.deepEqual(changes.map((c) => c.action).sort(), ['ISSUE', 'ROTATE'], 'only the good key was recorded');
  });
});
