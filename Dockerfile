# syntax=docker/dockerfile:1
# Tandem inference server. Debian (glibc) rather than Alpine (musl): the prebuilt
# @tensorflow/tfjs-node addon and libtensorflow are built against glibc.
ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: install every dependency, including the native tfjs-node backend ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# tfjs-node's install script downloads libtensorflow and a prebuilt addon; python3, make and g++
# let node-gyp compile the addon when no prebuilt binary matches the platform.
RUN apt-get update \
  && apt-get install -y --no-install-recommends ca-certificates python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
# The whole tree before `npm ci`: workspaces link each package's bin, which must exist.
COPY . .
# npm >= 11.16 runs a dependency's install script only when allowed; older npm ignores the flag.
RUN --mount=type=cache,target=/root/.npm \
  npm ci --no-audit --no-fund --allow-scripts=@tensorflow/tfjs-node
# Fail the build, not the first request, when the native backend is missing.
RUN node -e "require('@tensorflow/tfjs-node'); console.log('tfjs-node', require('@tensorflow/tfjs-node/package.json').version)"

# ---- runtime: the same tree, no compilers, non-root ----
FROM ${NODE_IMAGE} AS runtime
# npm runs scripts through `sh -c`; Debian's dash stays between npm and the server and does not
# pass SIGTERM on, so `docker stop` would not shut the server down gracefully. bash replaces
# itself with the command, so the signal goes npm -> tsx -> server.
# HOST=0.0.0.0: a container must bind every interface to be reachable through its published
# port. Without TANDEM_API_KEYS the server then logs a loud warning: mount a keys file and set
# TANDEM_API_KEYS, or keep the container on a private network (docs/security.md).
ENV NODE_ENV=production \
  npm_config_script_shell=/bin/bash \
  HOST=0.0.0.0 \
  PORT=3000 \
  TANDEM_ARTIFACTS=/app/artifacts \
  TANDEM_BACKEND=tensorflow
WORKDIR /app
COPY --from=build --chown=node:node /app /app
# Created here, owned by `node`, so a fresh named volume mounted on it inherits the ownership.
RUN mkdir -p /app/artifacts && chown node:node /app/artifacts
USER node
VOLUME ["/app/artifacts"]
EXPOSE 3000
# Slim images have no curl: Node's fetch does the probe.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["npm", "run", "serve", "--", "--host", "0.0.0.0"]
