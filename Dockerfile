# One image for every Tarka process: the entrypoint is the `tarka` CLI (serve, worker, project,
# replay). Built and run by the k8s manifests as ghcr.io/tarka-dev/tarka.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Dev dependencies build the server and the console; embedded Postgres is for laptops only.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY console ./console
RUN npm run build && npm prune --omit=dev --ignore-scripts

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/console/build ./console/build
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["node", "/app/dist/cli/main.js"]
CMD ["serve"]
