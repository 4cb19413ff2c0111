# syntax=docker/dockerfile:1.7
#
# docsift worker image.
#   build:   docker build -t docsift:dev .        (skaffold.yaml does this for kind)
#   run:     docker run --rm docsift:dev           (= docsift run; configure with env)
#
# Node 24 (LTS), the same version as the `node` devDependency every npm script runs on (a test
# keeps them equal): docsift is developed, tested and run on one Node.
# Debian bookworm-slim, not Alpine: sharp and @napi-rs/canvas ship glibc prebuilds.
# Size, measured by `npm run test:deploy` (buildah, on a local stand-in for the base image):
# the layers this file adds are ~440 MB uncompressed on top of the base: Debian's tesseract with
# eng/jpn/osd data, tini and ca-certificates ~218 MB (libicu alone 36 MB), production node_modules
# ~219 MB (pdfjs-dist, @kubernetes/client-node, tesseract.js-core, @napi-rs/canvas, the
# @tesseract.js-data traineddata, sharp/libvips, AWS SDK), dist ~1 MB.

ARG NODE_VERSION=24.21.0
ARG DEBIAN_RELEASE=bookworm

# ---- build: all dependencies, compile TypeScript, then drop dev dependencies -------------------
FROM node:${NODE_VERSION}-${DEBIAN_RELEASE}-slim AS build
WORKDIR /app
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
# Manifests first so the dependency layer is cached across source changes.
COPY package.json package-lock.json ./
# --ignore-scripts: the `prepare` script compiles src/, which is not copied yet, and no package the
# image ships needs an install script (sharp and @napi-rs/canvas come as prebuilt optional
# packages; test/chart/dockerfile.test.ts fails if a production dependency gains one). The only
# install scripts in the tree belong to dev tools: the `node` devDependency's preinstall would
# download a second 190 MB Node binary into node_modules just to be pruned, and esbuild's is for tsx.
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
# Language data is baked in (the @tesseract.js-data/eng, /jpn and /osd production dependencies; osd
# is orientation detection, OCR_DETECT_ORIENTATION): the build fails if their traineddata is missing.
# Source maps, type declarations and docs are not needed at run time (~47 MB).
RUN npm run build \
 && npm prune --omit=dev \
 && npm cache clean --force \
 && find node_modules -type f \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -iname '*.md' \) -delete \
 && test -n "$(find node_modules/@tesseract.js-data/eng node_modules/@tesseract.js-data/jpn -name '*.traineddata*' | head -1)" \
 && test -n "$(find node_modules/@tesseract.js-data/osd -name 'osd.traineddata*' | head -1)" \
 && chmod 0755 bin/docsift.js

# ---- runtime: production dependencies, compiled output, tini as PID 1 ---------------------------
FROM node:${NODE_VERSION}-${DEBIAN_RELEASE}-slim AS runtime
# tini is PID 1: it forwards SIGTERM to node only (which drains in-flight messages and exits within
# SHUTDOWN_TIMEOUT) and reaps zombies of any child process. Not `tini -g`: that signals node's whole
# process group, native tesseract children included, so every page being OCR'd on a scale-in died
# and its message failed as ocr_failed instead of finishing. When node exits, the container's PID
# namespace ends and the kernel kills anything left.
# The npm/corepack/yarn toolchain is dropped (~25 MB, never used at run time). The user has a numeric
# UID/GID because Kubernetes' runAsNonRoot can only verify a numeric user.
# Debian's tesseract language data (LSTM "fast" models) is what the worker reads by default in the
# image (TESSDATA_DIR below): measured here it costs 1.61 CPU-s per page in tesseract.js against
# 2.91 for the npm packages' best_int data, at equal or better accuracy (bench:ocr). The binary comes
# with it (~20 MB with its libraries), so OCR_ENGINE=auto (the default) runs native tesseract here:
# about 15% less CPU per page than tesseract.js on the same data (npm run bench:ocr).
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini ca-certificates tesseract-ocr tesseract-ocr-eng tesseract-ocr-jpn tesseract-ocr-osd \
 && test -f /usr/share/tesseract-ocr/5/tessdata/jpn.traineddata \
 && test -f /usr/share/tesseract-ocr/5/tessdata/osd.traineddata \
 && rm -rf /var/lib/apt/lists/* \
 && rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
      /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
      /opt/yarn-* /usr/local/bin/yarn /usr/local/bin/yarnpkg \
 && groupadd --system --gid 10001 docsift \
 && useradd --system --uid 10001 --gid 10001 --home-dir /app --shell /usr/sbin/nologin docsift

WORKDIR /app
# MALLOC_ARENA_MAX=2: without it every replaced OCR worker thread leaves a glibc arena behind and
# RSS climbs with recycling (measured +13% over 200 jobs; flat with 2 arenas).
# NODE_OPTIONS: V8's heap as 40% of the container's memory limit, which Node reads from the cgroup
# (a plain `docker run --memory` otherwise gets V8's own default); the chart sets its own percent.
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-old-space-size-percentage=40 \
    MALLOC_ARENA_MAX=2 \
    TESSDATA_DIR=/usr/share/tesseract-ocr/5/tessdata \
    TEMP_DIR=/tmp/docsift \
    HEARTBEAT_DIR=/tmp/docsift-heartbeat \
    METRICS_PORT=9464
COPY --from=build --chown=0:0 /app/package.json ./package.json
COPY --from=build --chown=0:0 /app/node_modules ./node_modules
COPY --from=build --chown=0:0 /app/dist ./dist
COPY --from=build --chown=0:0 /app/bin ./bin
# `docsift` on PATH: the liveness probe runs `docsift healthcheck`.
RUN ln -s /app/bin/docsift.js /usr/local/bin/docsift

# Files are owned by root and read-only to the worker; it writes only to /tmp (an emptyDir in the chart).
USER 10001:10001
EXPOSE 9464
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/bin/docsift.js"]
CMD ["run"]
