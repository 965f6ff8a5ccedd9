#!/usr/bin/env bash
# Fetches the data the workloads need (docs/workloads.md) into the data
# folder, ${AHAL_DATA_DIR:-$HOME/.cache/ahal}. Run by scripts/setup.sh; never
# at build or run time. Without the data, the workload tests skip.
#
# face: npm @vladmandic/face-api 1.7.15 (MIT): trained weights (TF.js
# manifests + .bin shards), the demo photos, and face-api's own bundle (the
# optional cross-check of the PyTorch reference runs it under node),
# fetched with Debian's npm.
set -euo pipefail

data=${AHAL_DATA_DIR:-$HOME/.cache/ahal}
name=@vladmandic/face-api
version=1.7.15
# sha256 of the tarball the registry served when the reference was made.
sha256=0d77fffeef362ef9c0939cf6c567f3a2e8e177f114fa257a3270cbd2e509b031
dest=$data/face-api-$version
wanted=(
  LICENSE
  model/face_recognition_model-weights_manifest.json
  model/face_recognition_model.bin
  model/tiny_face_detector_model-weights_manifest.json
  model/tiny_face_detector_model.bin
  demo/sample1.jpg demo/sample2.jpg demo/sample3.jpg
  demo/sample4.jpg demo/sample5.jpg demo/sample6.jpg
  dist/face-api.esm.js
)

complete=1
for f in "${wanted[@]}"; do
  [ -f "$dest/$f" ] || complete=0
done
if [ $complete -eq 1 ]; then
  echo "fetch-data: $name $version present in $dest"
  exit 0
fi
if ! command -v npm >/dev/null; then
  echo "fetch-data: npm not installed (apt-get install npm); the workload tests will skip" >&2
  exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "fetch-data: npm pack $name@$version"
if ! (cd "$tmp" && npm pack --silent "$name@$version" >/dev/null); then
  echo "fetch-data: npm pack failed (no registry?); the workload tests will skip" >&2
  exit 0
fi
tarball=$(ls "$tmp"/*.tgz)
got=$(sha256sum "$tarball" | cut -d' ' -f1)
if [ "$got" != "$sha256" ]; then
  echo "fetch-data: $tarball has sha256 $got, expected $sha256; not used" >&2
  exit 1
fi
mkdir -p "$tmp/x" "$dest"
tar -xzf "$tarball" -C "$tmp/x" "${wanted[@]/#/package/}"
cp -r "$tmp/x/package/." "$dest/"
echo "fetch-data: $name $version in $dest"
