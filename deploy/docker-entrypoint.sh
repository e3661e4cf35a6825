#!/bin/sh
# Entry point of the platform's image (Dockerfile): turns secret files into the environment the services read, then
# runs the command (`exec`, so that the service is PID 1's replacement and receives SIGTERM itself).
#
#   <NAME>_FILE=/run/secrets/…   for each NAME of SECRET_VARIABLES below: NAME is set to the file's content (trailing
#                                newlines removed). The file must exist and not be empty, except for the *_PREVIOUS
#                                ones (an empty file: no previous key). Setting both NAME and NAME_FILE is refused.
#   REDIS_PASSWORD_FILE=…        the password is put into REDIS_URL (redis://host:port → redis://:<password>@host:port).
#                                Redis' password may use only A-Z a-z 0-9 . _ ~ - (URL-safe; generate-secrets.sh makes
#                                64 hex characters).
#
# Variables a service reads as files itself (GATEWAY_SIGNING_KEY_FILE, KEYCLOAK_ADMIN_CLIENT_SECRET_FILE,
# AUDIT_SUBJECT_KEY_FILE, …) are not in the list and are passed on unchanged.
# Any problem stops the container with one line naming the variable and the file, never the secret.
set -eu

SECRET_VARIABLES='
REGISTRY_INTERNAL_TOKEN
EVENTS_PUBLISH_TOKEN
MONITORING_INTERNAL_TOKEN
REPORT_LINK_SECRET
REPORT_LINK_SECRET_PREVIOUS
CATALOGS_CURSOR_SECRET
CATALOGS_CURSOR_SECRET_PREVIOUS
RELAY_MASTER_KEY
RELAY_MASTER_KEY_PREVIOUS
RELAY_URL_SECRET
RELAY_URL_SECRET_PREVIOUS
NATIONAL_PLATFORM_CONSUMER_KEY
NATIONAL_PLATFORM_CONSUMER_SECRET
NATIONAL_PLATFORM_TEST_CONSUMER_KEY
NATIONAL_PLATFORM_TEST_CONSUMER_SECRET
SIMULATOR_CONSUMER_KEY
SIMULATOR_CONSUMER_SECRET
SIMULATOR_TEST_CONSUMER_KEY
SIMULATOR_TEST_CONSUMER_SECRET
'

fail() {
  printf '{"level":"fatal","msg":"docker-entrypoint: %s"}\n' "$1" >&2
  exit 1
}

for name in $SECRET_VARIABLES; do
  eval "file=\${${name}_FILE:-}"
  [ -n "$file" ] || continue
  eval "current=\${${name}+set}"
  [ -z "$current" ] || fail "set ${name} or ${name}_FILE, not both"
  [ -r "$file" ] || fail "${name}_FILE: cannot read ${file} (is the secret in LGSP_SECRETS_DIR and readable?)"
  value=$(cat "$file")
  unset "${name}_FILE"
  if [ -z "$value" ]; then
    case "$name" in
      *_PREVIOUS) continue ;;
      *) fail "${name}_FILE: ${file} is empty" ;;
    esac
  fi
  export "$name=$value"
done

if [ -n "${REDIS_PASSWORD_FILE:-}" ]; then
  [ -n "${REDIS_URL:-}" ] || fail "REDIS_PASSWORD_FILE is set but REDIS_URL is not"
  [ -r "$REDIS_PASSWORD_FILE" ] || fail "REDIS_PASSWORD_FILE: cannot read ${REDIS_PASSWORD_FILE}"
  password=$(cat "$REDIS_PASSWORD_FILE")
  [ -n "$password" ] || fail "REDIS_PASSWORD_FILE: ${REDIS_PASSWORD_FILE} is empty"
  case "$password" in
    *[!A-Za-z0-9._~-]*) fail "REDIS_PASSWORD_FILE: the password may use only A-Z a-z 0-9 . _ ~ -" ;;
  esac
  case "$REDIS_URL" in
    redis://*@* | rediss://*@*) fail "REDIS_URL already carries credentials: give the password only in REDIS_PASSWORD_FILE" ;;
    redis://*) REDIS_URL="redis://:${password}@${REDIS_URL#redis://}" ;;
    rediss://*) REDIS_URL="rediss://:${password}@${REDIS_URL#rediss://}" ;;
    *) fail "REDIS_URL must start with redis:// or rediss://" ;;
  esac
  export REDIS_URL
  unset REDIS_PASSWORD_FILE password
fi

exec "$@"
