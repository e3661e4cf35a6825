# One image for every service of the platform; docker-compose.yml picks the entry point per service.
# Two stages: `build` installs the dependencies and builds the portal (the root `prepare` script, which `npm ci` runs:
# `npm run build -w portal`, Vite, every asset bundled); the runtime image takes the installed dependencies, the
# repository and the built portal (portal/dist, served by the gateway at /portal/, PORTAL_DIST's default).
# Checked by test/repo/deploy-image.test.ts.
FROM node:20-bookworm-slim AS build
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY gateway/package.json gateway/
COPY schema/package.json schema/
COPY simulator/package.json simulator/
COPY packages/kit/package.json packages/kit/
COPY packages/events/package.json packages/events/
COPY packages/access/package.json packages/access/
COPY packages/credentials/package.json packages/credentials/
COPY packages/audit/package.json packages/audit/
COPY subgraphs/catalogs/package.json subgraphs/catalogs/
COPY subgraphs/national-data/package.json subgraphs/national-data/
COPY subgraphs/relay/package.json subgraphs/relay/
COPY subgraphs/subscriptions/package.json subgraphs/subscriptions/
COPY subgraphs/registry/package.json subgraphs/registry/
COPY subgraphs/monitoring/package.json subgraphs/monitoring/
COPY keycloak/package.json keycloak/
COPY portal/package.json portal/
# The portal's sources before `npm ci`: its `prepare` script builds them (portal/node_modules and portal/dist are in
# .dockerignore). A build without portal/dist/index.html stops here rather than ship a portal that answers 503.
COPY portal/ portal/
# tsx runs the TypeScript sources directly (see docs/decisions/0001-run-typescript-with-tsx.md), so it is kept.
RUN npm ci --no-audit --no-fund --include=dev && npm cache clean --force && test -s portal/dist/index.html

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules node_modules
COPY . .
# The built portal (its own node_modules, Vite and the sources' dependencies, are not needed at run time).
COPY --from=build /app/portal/dist portal/dist
USER node
# Secret files (<NAME>_FILE, REDIS_PASSWORD_FILE) become the environment the services read (deploy/docker-entrypoint.sh).
ENTRYPOINT ["sh", "/app/deploy/docker-entrypoint.sh"]
CMD ["node", "--import", "tsx", "gateway/src/main.ts"]
