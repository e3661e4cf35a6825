#!/bin/sh
# Creates, in the folder given (LGSP_SECRETS_DIR of docker-compose.yml), every random secret file the platform needs
# that does not exist yet; existing files are kept (run it again after an upgrade adds a secret). The folder is made
# 0700 and the files 0444: the containers' users (node, postgres, redis, keycloak) read them through their mounts,
# nobody else on the host does. Needs openssl.
#
#   sh deploy/generate-secrets.sh /etc/lgsp/secrets
#
# Not random, so not made here (the command names them at the end when they are missing):
#   national-platform-consumer-key, national-platform-consumer-secret, national-platform-test-consumer-key,
#   national-platform-test-consumer-secret   the credentials the national platform (NDXP) issued to the province
#   vdxp-client-secret                       the client secret VDXP (the national e-ID) issues at the province's
#                                            registration: made empty here (citizens' sign-in off until
#                                            VDXP_ISSUER_URL is set); the operator replaces it (docs/operations.md)
set -eu

dir=${1:?usage: generate-secrets.sh <secrets folder>}
command -v openssl >/dev/null || { echo "generate-secrets.sh needs openssl (apt-get install openssl)" >&2; exit 1; }
umask 077
mkdir -p "$dir"
chmod 0700 "$dir"

# name, then the command whose output is the secret.
make() {
  if [ -e "$dir/$1" ]; then
    echo "kept     $1"
  else
    sh -c "$2" >"$dir/$1.tmp"
    mv "$dir/$1.tmp" "$dir/$1"
    chmod 0444 "$dir/$1"
    echo "created  $1"
  fi
}

hex32='openssl rand -hex 32'
make redis-password "$hex32"
make keycloak-db-password "$hex32"
make keycloak-admin-password "$hex32"
make registry-internal-token "$hex32"
make events-publish-token "$hex32"
make monitoring-internal-token "$hex32"
make report-link-secret "$hex32"
make catalogs-cursor-secret "$hex32"
make relay-master-key "$hex32"
make relay-url-secret "$hex32"
make audit-subject-key "$hex32"
make backup-key "$hex32"
# The platform clients' secrets, put into the realm when Keycloak imports it (deploy/keycloak/production-realm.ts).
make keycloak-registry-client-secret "$hex32"
make keycloak-backup-client-secret "$hex32"
# The platform's Ed25519 key signing the audit checkpoints, as a JWK (RFC 8037: the raw private and public keys are
# the last 32 bytes of their DER forms).
make audit-signing-key 'set -e; t=$(mktemp -d); trap "rm -rf $t" EXIT; openssl genpkey -algorithm ed25519 -out "$t/k.pem";
  b64url() { base64 | tr "+/" "-_" | tr -d "=\n"; };
  d=$(openssl pkey -in "$t/k.pem" -outform DER | tail -c 32 | b64url);
  x=$(openssl pkey -in "$t/k.pem" -pubout -outform DER | tail -c 32 | b64url);
  printf "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"d\":\"%s\",\"x\":\"%s\"}\n" "$d" "$x"'
# Empty until a rotation (docs/runbook.md "Key rotation").
make relay-master-key-previous 'true'
make relay-url-secret-previous 'true'
make catalogs-cursor-secret-previous 'true'
make report-link-secret-previous 'true'
# Issued by VDXP, never generated: empty until the province's registration (Keycloak's start.sh refuses an empty one
# when VDXP_ISSUER_URL is set).
make vdxp-client-secret 'true'

missing=''
for name in national-platform-consumer-key national-platform-consumer-secret \
  national-platform-test-consumer-key national-platform-test-consumer-secret; do
  [ -s "$dir/$name" ] || missing="$missing $name"
done
if [ -n "$missing" ]; then
  echo "still to write by hand (docs/runbook.md \"Secrets\"):$missing"
fi
if [ ! -s "$dir/vdxp-client-secret" ]; then
  echo "citizens' sign-in through VDXP is off until the province is registered: then write the secret VDXP issued into"
  echo "  $dir/vdxp-client-secret and set VDXP_ISSUER_URL and VDXP_CLIENT_ID (docs/operations.md \"Deployment\")"
fi
