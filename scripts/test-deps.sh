#!/usr/bin/env bash
# The Debian packages the tests use as real peers, installed when missing: `npm test` runs this
# first (pretest), so `npm ci && npm test` is the whole set-up; .ci/run calls it with --deploy for
# what `npm run test:deploy` needs besides. Silent when everything is there.
#
#   prometheus                        promtool check/test rules, and a real server scraping the worker
#   tesseract-ocr, -eng, -jpn, -osd   native OCR (the image's engine), its English/Japanese data and
#                                     orientation detection (OSD)
#   openssl                           test certificates (OpenSearch TLS, the Kubernetes API front)
#   util-linux                        unshare (the read-only-root test)
#   moto_server (not a Debian package) the second SQS/S3 implementation; the acceptance tests of
#                                     failure semantics and versioned buckets need it. It comes with
#                                     the machine image's Python (pip moto[server]); checked, not installed
#   --deploy: buildah podman runc     build the image, run its pods (no Docker engine here; crun fails
#             debootstrap             on this cgroup hybrid, so runc); the stand-in base image
#   --bench:  ocrmypdf poppler-utils  the peers `npm run bench` measures docsift against (ocrmypdf, and
#                                     pdftoppm for the naive floor); `npm run bench` runs this first
set -euo pipefail

PACKAGES=(prometheus tesseract-ocr tesseract-ocr-eng tesseract-ocr-jpn tesseract-ocr-osd openssl util-linux)
for flag in "$@"; do
  case "$flag" in
    --deploy) PACKAGES+=(buildah podman runc debootstrap) ;;
    --bench) PACKAGES+=(ocrmypdf poppler-utils) ;;
    *) echo "test-deps: unknown flag $flag (--deploy, --bench)" >&2; exit 2 ;;
  esac
done

# moto_server: on PATH or in pyenv's shims (test/helpers/backends.ts looks in the same places).
if ! command -v moto_server >/dev/null && [ ! -x "$HOME/.pyenv/shims/moto_server" ]; then
  {
    echo "test-deps: moto_server is missing: the SQS/S3 acceptance tests run against it"
    echo "test-deps: install it into the machine's Python, then run the tests again:"
    echo "  pip install 'moto[server]'"
  } >&2
  exit 1
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

install=(apt-get install -y -qq --no-install-recommends "${missing[@]}")
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null && command -v apt-get >/dev/null; then
  sudo=(sudo -n)
else
  {
    echo "test-deps: the tests need these Debian packages, which are missing: ${missing[*]}"
    echo "test-deps: install them as root, then run the tests again:"
    echo "  apt-get update && ${install[*]}"
  } >&2
  exit 1
fi
echo "test-deps: installing ${missing[*]} (apt-get)" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" "${install[@]}" >/dev/null
