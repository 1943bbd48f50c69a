# hookflow in a container: `docker build -t hookflow .`, then
#   docker run -d -p 8080:8080 -v hookflow-data:/data hookflow
# The data volume holds the SQLite database and secret.key (back the key up apart from the
# database); with PostgreSQL set HOOKFLOW_DATABASE_URL and HOOKFLOW_SECRET_KEY instead.
# deploy/compose.yaml runs two of these behind Caddy on one PostgreSQL.

# Node.js for the editor's build, copied into the Go image (the engine is Go built to wasm).
FROM node:20-bookworm-slim AS node

FROM golang:1.26-bookworm AS build
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=node /usr/local/lib/node_modules /usr/local/lib/node_modules
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm
WORKDIR /src
# Dependencies first, in their own layers: a change of the code does not download them again.
COPY go.mod go.sum ./
RUN go mod download
COPY package.json package-lock.json ./
COPY frontend/package.json frontend/
RUN npm ci --no-audit --no-fund
COPY . .
# cgo: the SQLite driver is C. The brotli copy of the engine at quality 9 builds in seconds.
RUN HOOKFLOW_BROTLI_QUALITY=9 make build && bin/hookflow templates >/dev/null

FROM debian:bookworm-slim
# ca-certificates for the HTTPS targets of flows; curl for the health check.
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \
	&& rm -rf /var/lib/apt/lists/* \
	&& useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin hookflow \
	&& mkdir -p /data && chown hookflow:hookflow /data && chmod 700 /data
COPY --from=build /src/bin/hookflow /usr/local/bin/hookflow
USER hookflow
ENV HOOKFLOW_ADDR=:8080 HOOKFLOW_DATA_DIR=/data
VOLUME /data
EXPOSE 8080
# /healthz answers 200 while the database answers, 503 otherwise.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
	CMD curl -fsS http://127.0.0.1:8080/healthz >/dev/null || exit 1
# SIGTERM (docker stop) stops it gracefully: webhooks answered, running flows finished or queued.
ENTRYPOINT ["/usr/local/bin/hookflow"]
CMD ["serve"]
