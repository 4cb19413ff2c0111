#!/usr/bin/env bash
# Builds the image from the repository's unmodified Dockerfile with buildah (no Docker engine here),
# on the local stand-in base (standin-base.sh), and writes what it measured as JSON.
#
#   scripts/deploy/build-image.sh [TAG]        default TAG: localhost/docsift:deploy-test
#
# --layers: unchanged steps (the base, the apt-get and npm ci layers) come from the cache on the
# next build on the same machine; a fresh CI machine builds everything.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$DEPLOY_DIR/../.."

TAG="${1:-localhost/docsift:deploy-test}"
RESULTS="${DEPLOY_RESULTS:-.tmp/deploy}"
mkdir -p "$RESULTS"
NODE_VERSION="$(sed -n 's/^ARG NODE_VERSION=//p' Dockerfile)"

start=$SECONDS
bash "$DEPLOY_DIR/standin-base.sh" "$NODE_VERSION"
base_seconds=$((SECONDS - start))

start=$SECONDS
started_at="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
buildah bud --isolation chroot --layers --pull-never -f Dockerfile -t "$TAG" . >"$RESULTS/build.log" 2>&1 || {
  tail -40 "$RESULTS/build.log" >&2
  echo "build-image: buildah bud failed (full log: $RESULTS/build.log)" >&2
  exit 1
}
build_seconds=$((SECONDS - start))
# vfs stores every layer as a full copy: drop the untagged leftovers of earlier builds (this build's
# intermediate images stay as the layer cache of the next one).
podman image prune --force --filter "until=$started_at" >/dev/null

# The uncompressed size is the sum of the layers' unpacked sizes, as `docker images` reports it.
size="$(podman image inspect --format '{{.Size}}' "$TAG")"
id="$(podman image inspect --format '{{.Id}}' "$TAG")"
cat >"$RESULTS/image.json" <<EOF
{"tag": "$TAG", "id": "$id", "nodeVersion": "$NODE_VERSION", "sizeBytes": $size, "baseSeconds": $base_seconds, "buildSeconds": $build_seconds}
EOF
echo "build-image: $TAG $(awk -v s="$size" 'BEGIN{printf "%.0f MiB", s/1048576}') uncompressed; base ${base_seconds} s, build ${build_seconds} s"
