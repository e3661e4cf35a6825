# One image for every service of the platform; docker-compose.yml picks the entry point per service.
FROM node:20-bookworm-slim
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
# tsx runs the TypeScript sources directly (see docs/decisions/0001-run-typescript-with-tsx.md), so it is kept.
# --ignore-scripts: the root `prepare` script builds the portal, whose sources are not copied yet (below); the
# dependencies' own install steps are run by `npm rebuild`.
RUN npm ci --no-audit --no-fund --include=dev --ignore-scripts && npm rebuild esbuild protobufjs @apollo/protobufjs && npm cache clean --force
COPY . .
# The portal (portal/dist), served by the gateway at /portal/: a production build, nothing fetched at run time.
RUN npm run build --workspace portal && rm -rf portal/dist/assets/*.map
USER node
# Secret files (<NAME>_FILE, REDIS_PASSWORD_FILE) become the environment the services read (deploy/docker-entrypoint.sh).
ENTRYPOINT ["sh", "/app/deploy/docker-entrypoint.sh"]
CMD ["node", "--import", "tsx", "gateway/src/main.ts"]
