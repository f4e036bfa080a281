# juchu: one image for every role (migrate, scheduler, worker, dashboard, simulators).
# Build stage compiles TypeScript; the runtime stage has production dependencies and dist/ only.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production HOST=0.0.0.0
# V8 grows its heap lazily: without a cap a busy worker sits at 300+ MB though it needs far less.
# 160 MB of old space keeps a worker running five imports under 256 MB resident (npm run bench
# measures the workers with this very setting).
ENV NODE_OPTIONS="--max-old-space-size=160"
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/bin ./bin
# Static assets of the dashboard are not TypeScript: copy them next to the compiled server.
COPY --from=build --chown=node:node /app/dashboard/public ./dist/dashboard/public
USER node
EXPOSE 3000
ENTRYPOINT ["node", "bin/juchu.mjs"]
CMD ["worker"]
