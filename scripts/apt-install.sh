#!/usr/bin/env bash
# Installs the Debian packages named as arguments that are not installed yet (one `apt-get update`, and only when
# something is missing), as root or through sudo. For the project's own install steps on a machine that reaches
# only the npm registry and Debian's packages: `npm run setup:clients` (the test clients, from .ci/run and npm test)
# and scripts/vscode/install.sh.
set -euo pipefail

missing=()
for pkg in "$@"; do
  if [[ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" != "install ok installed" ]]; then
    missing+=("$pkg")
  fi
done
((${#missing[@]} == 0)) && exit 0
sudo=()
if ((EUID != 0)); then
  command -v sudo >/dev/null || { echo "apt-install: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
echo "apt-install: installing ${missing[*]}" >&2
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
