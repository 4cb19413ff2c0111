# Sourced by the deploy scripts: one place for the container tool settings.
# vfs: no overlay or fuse-overlayfs on these machines; it copies layers, so budget disk and time.
DEPLOY_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export CONTAINERS_CONF="$DEPLOY_DIR/containers.conf"
export STORAGE_DRIVER=vfs
export BUILDAH_ISOLATION=chroot
buildah() { command buildah --storage-driver vfs "$@"; }
podman() { command podman --storage-driver vfs --runtime runc "$@"; }
