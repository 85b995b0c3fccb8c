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
# 16 MB semi-spaces and a 256 MB old-generation cap for the app (its live heap is about 50 MB; set after
# npm ci on purpose): V8 then grows the heap in small steps instead of letting garbage pile up to
# 250-500 MiB of RSS, and requests in flight are not promoted early (bench/README.md, "Memory").
ENV NODE_OPTIONS="--max-semi-space-size=16 --max-old-space-size=256"
# One malloc arena instead of glibc's eight per core: memory that V8's background threads free (compiling
# the embedded database's WebAssembly, above all) is reused instead of staying resident in arenas of their
# own. The events load on PGlite on Node 24 ended at 323-334 MiB with one, 340-359 with two and 395-424
# with glibc's default, at the same requests/s (bench/README.md, "Memory").
ENV MALLOC_ARENA_MAX=1
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/ready').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
# V8 moves an allocation site's objects straight to the old generation once most of them have survived a
# few collections. A burst of writes (thousands of event creations) taught it that for request-handling
# code, and from then on every request's garbage went to the old generation: a full collection every
# 140 ms, and /health/live served 23,000 requests/s instead of 39,000. V8 accepts this flag only on the
# command line, not in NODE_OPTIONS (bench/README.md, "Pretenuring").
# Young-generation collections may run while a full collection marks: by default V8 holds them off, and
# what the young generation holds when the long concurrent marking of a 50 MB heap ends is promoted. With
# the flag the floor bench ended at 214-218 MiB instead of 247-254 on PostgreSQL and the PGlite events bench
# at 323-327 instead of 335-343, at the same requests/s and the same slot p99 for the app (bench/README.md,
# "Re-measured 2026-12-02"). Also only on the command line.
CMD ["node", "--no-allocation-site-pretenuring", "--no-separate-gc-phases", "dist/main.js"]
