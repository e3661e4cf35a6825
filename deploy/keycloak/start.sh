#!/bin/bash
# Keycloak's entry point in docker-compose.yml: the database password, the bootstrap administrator's password and
# the platform clients' and VDXP's secrets (the placeholders of the imported realm, deploy/keycloak/production-realm.ts) come
# from secret files (Keycloak reads only variables or its keystore, not *_FILE), then kc.sh runs with the
# arguments given (`start --import-realm`). Bash built-ins only: the Keycloak image has no coreutils to rely on.
# A missing or empty secret stops the container with a message that names the file, never its content.
set -euo pipefail

# Overridable for test/repo/deploy-compose.test.ts only.
secrets=${LGSP_SECRETS_MOUNT:-/run/secrets}
kc=${LGSP_KC_SH:-/opt/keycloak/bin/kc.sh}

read_secret() {
  local file="$secrets/$1"
  if [[ ! -r $file ]]; then
    echo "keycloak: the secret $file is missing (LGSP_SECRETS_DIR/$1)" >&2
    exit 1
  fi
  local value
  value=$(<"$file")
  if [[ -z $value ]]; then
    echo "keycloak: the secret $file is empty" >&2
    exit 1
  fi
  printf '%s' "$value"
}

KC_DB_PASSWORD=$(read_secret keycloak-db-password)
# Used only when the master realm has no administrator yet (the first start): a temporary account to create the
# operators' own administrators with, then deleted (docs/runbook.md "First start").
KC_BOOTSTRAP_ADMIN_PASSWORD=$(read_secret keycloak-admin-password)
# Resolved into the realm's clients when it is imported (first start); later rotations are made in Keycloak.
LGSP_REGISTRY_CLIENT_SECRET=$(read_secret keycloak-registry-client-secret)
LGSP_BACKUP_CLIENT_SECRET=$(read_secret keycloak-backup-client-secret)
export KC_DB_PASSWORD KC_BOOTSTRAP_ADMIN_PASSWORD LGSP_REGISTRY_CLIENT_SECRET LGSP_BACKUP_CLIENT_SECRET

# Citizens' and businesses' sign-in through VDXP (identity provider `vdxp`): with VDXP_ISSUER_URL set, the realm's
# provider is enabled with the client VDXP issued to the province, whose secret the operator wrote into
# vdxp-client-secret (deploy/generate-secrets.sh leaves it empty: VDXP issues it at registration). Without it the
# provider is imported disabled (deploy/keycloak/production-realm.ts) and no VDXP setting is needed.
if [[ -n ${VDXP_ISSUER_URL:-} ]]; then
  if [[ -z ${VDXP_CLIENT_ID:-} ]]; then
    echo "keycloak: VDXP_ISSUER_URL is set but VDXP_CLIENT_ID is not (the client id VDXP issued at registration)" >&2
    exit 1
  fi
  VDXP_CLIENT_SECRET=$(read_secret vdxp-client-secret)
  export VDXP_ISSUER_URL VDXP_CLIENT_ID VDXP_CLIENT_SECRET
else
  unset VDXP_ISSUER_URL VDXP_CLIENT_ID VDXP_CLIENT_SECRET
fi

exec "$kc" "$@"
