# Multi-stage build on Node 24 LTS: compile with dev dependencies, run with production ones only, as a
# non-root user. (Node 20.19+ still runs the app; CI tests both.)
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json nest-cli.json ./
COPY src ./src
RUN npx nest build

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY migrations ./migrations
# The booking page's script and stylesheet are read at runtime (nest build copies no assets).
COPY public ./public
RUN mkdir -p /app/.data && chown -R node:node /app/.data
# An 8 MB young generation and a 256 MB old-generation cap for the app (its live heap is about 50 MB;
# set after npm ci on purpose): V8 then grows the heap in small steps instead of letting garbage pile
# up to 250-500 MiB of RSS (bench/README.md, "Memory").
ENV NODE_OPTIONS="--max-semi-space-size=8 --max-old-space-size=256"
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/ready').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["node", "dist/main.js"]
