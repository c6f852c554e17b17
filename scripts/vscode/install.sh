#!/usr/bin/env bash
# Installs what scripts/vscode/run-tests.mjs needs to run the extension's tests in a real VS Code on a machine that
# reaches only the npm registry and Debian's packages (VSCODE-TESTING in docs/evidence.md):
#   - Debian's chromium, ripgrep and libkrb5-dev (apt, only when missing: scripts/apt-install.sh);
#   - code-server (VS Code 1.96.4 for Node 20) into .vscode-test/code-server-<version>/, with the four offline fixes;
#   - playwright-core beside it, used when the project itself does not provide it.
# Idempotent: a marker written last makes the next run a no-op (it also records Node's ABI, since code-server's native
# modules are built against the machine's Node). Remove .vscode-test/ to start over.
set -euo pipefail

CODE_SERVER_VERSION=4.96.4
PLAYWRIGHT_CORE_VERSION=1.65.1
# lib/vscode/npm-shrinkwrap.json pins this package to a git+ssh address; the registry tarball has the same sha512.
PROXY_AGENT_VERSION=0.27.0
# @vscode/ripgrep's postinstall looks here (under the temporary folder) before downloading rg from GitHub.
RIPGREP_CACHE=vscode-ripgrep-cache-1.15.9/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz
APT_PACKAGES=(chromium ripgrep libkrb5-dev)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="$ROOT/.vscode-test"
PREFIX="$CACHE/code-server-$CODE_SERVER_VERSION"
MARKER="$PREFIX/.installed"

log() { printf '[vscode-install %3ds] %s\n' "$SECONDS" "$*"; }

expected_marker() {
  printf 'code-server %s playwright-core %s node-abi %s %s\n' "$CODE_SERVER_VERSION" "$PLAYWRIGHT_CORE_VERSION" \
    "$(node -p 'process.versions.modules')" "$(uname -m)"
}

install_code_server() {
  local package="$PREFIX/node_modules/code-server"
  log "code-server $CODE_SERVER_VERSION: installing into ${PREFIX#"$ROOT"/}"
  rm -rf "$PREFIX"
  mkdir -p "$PREFIX"
  printf '{ "name": "dtmetrics-vscode-test", "private": true }\n' >"$PREFIX/package.json"
  (cd "$PREFIX" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error \
    "code-server@$CODE_SERVER_VERSION" "playwright-core@$PLAYWRIGHT_CORE_VERSION")

  # Fix 1: the git+ssh address of @vscode/proxy-agent becomes the registry tarball of the same version.
  local registry
  registry="$(npm config get registry 2>/dev/null)"
  SHRINKWRAP="$package/lib/vscode/npm-shrinkwrap.json" TARBALL="${registry%/}/@vscode/proxy-agent/-/proxy-agent-$PROXY_AGENT_VERSION.tgz" \
    VERSION="$PROXY_AGENT_VERSION" node -e '
      const fs = require("node:fs");
      const file = process.env.SHRINKWRAP;
      const wrap = JSON.parse(fs.readFileSync(file, "utf8"));
      let fixed = 0;
      for (const [path, entry] of Object.entries(wrap.packages ?? {})) {
        if (path.endsWith("node_modules/@vscode/proxy-agent") && /^git/.test(entry.resolved ?? "")) {
          entry.resolved = process.env.TARBALL;
          entry.version = process.env.VERSION;
          fixed++;
        }
      }
      if (fixed === 0) throw new Error("no git address of @vscode/proxy-agent in " + file);
      fs.writeFileSync(file, JSON.stringify(wrap, null, 2) + "\n");'

  # Fix 2: pre-fill the ripgrep download cache with Debian's rg, in a temporary folder of our own.
  local tmp="$PREFIX/.tmp"
  mkdir -p "$tmp/$(dirname "$RIPGREP_CACHE")"
  tar -czf "$tmp/$RIPGREP_CACHE" -C "$(dirname "$(command -v rg)")" rg

  # Fixes 3 and 4: kerberos builds against libkrb5-dev (apt, above); postinstall.sh refuses to run as root without
  # unsafe-perm, and --ignore-scripts skipped argon2's build, which start-up needs.
  log "code-server: building its dependencies (native modules compile; about a minute)"
  (cd "$package" && TMPDIR="$tmp" npm_config_unsafe_perm=true npm_config_loglevel=error npm run postinstall >"$PREFIX/postinstall.log" 2>&1) || {
    tail -n 40 "$PREFIX/postinstall.log"
    log "code-server postinstall failed; full log: $PREFIX/postinstall.log"
    exit 1
  }
  (cd "$PREFIX" && TMPDIR="$tmp" npm rebuild argon2 --loglevel=error >>"$PREFIX/postinstall.log" 2>&1) || {
    tail -n 40 "$PREFIX/postinstall.log"
    log "npm rebuild argon2 failed; full log: $PREFIX/postinstall.log"
    exit 1
  }
  rm -rf "$tmp"

  local version
  version="$(HOME="$PREFIX/.home" XDG_CONFIG_HOME="$PREFIX/.home/.config" XDG_DATA_HOME="$PREFIX/.home/.local/share" \
    node "$package/out/node/entry.js" --version 2>/dev/null | grep -m 1 "^$CODE_SERVER_VERSION " || true)"
  rm -rf "$PREFIX/.home"
  [[ "$version" == "$CODE_SERVER_VERSION "* ]] || { log "code-server does not start: '$version'"; exit 1; }
  log "code-server: $version"
  expected_marker >"$MARKER"
}

bash "$ROOT/scripts/apt-install.sh" "${APT_PACKAGES[@]}"
if [[ -f "$MARKER" && "$(cat "$MARKER")" == "$(expected_marker)" ]]; then
  log "code-server $CODE_SERVER_VERSION already installed (${MARKER#"$ROOT"/})"
else
  install_code_server
fi
