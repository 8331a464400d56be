#!/usr/bin/env bash
# Debian packages the project builds and tests against: the system FAISS that faiss-node is
# compiled against, OpenBLAS, CMake for that build, and Chromium for the browser tests.
set -euo pipefail
packages=(libfaiss-dev libopenblas-dev cmake g++ make python3 chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
