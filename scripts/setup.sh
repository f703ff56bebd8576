#!/usr/bin/env bash
# Installs what `make test`, `make demo`, `make pkg` and `make bench` need, pinned and idempotent:
# the wasm32 target, wasm-bindgen-cli (at the exact version in Cargo.lock), wasm-pack, the three browser
# engines with their drivers (Debian's chromium + chromium-driver, firefox-esr + geckodriver from crates.io,
# WebKitGTK's webkit2gtk-driver under xvfb) and PulseAudio for a WAV microphone, and the npm packages of
# package-lock.json. Each step checks first and
# does nothing when the pinned version is already there, so a second run takes a second.
#
# Usage: scripts/setup.sh [--browser] [--npm] [--espeak] [--bench]
#   --browser  also Chromium + ChromeDriver, Firefox ESR + geckodriver, WebKitGTK + WebKitWebDriver, Xvfb,
#              PulseAudio (browser tests, e2e, demo screenshots, benches)
#   --npm      also the npm dev packages (wasm-opt from binaryen, playwright-core, vite, tsc, esbuild)
#   --espeak   also Debian's espeak-ng (the local server's real voice, `--tts espeak`: demo and tests)
#   --bench    also twiggy, pinned (`make bench`: the package's size by layer)
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_PACK_VERSION=0.15.1
GECKODRIVER_VERSION=0.37.1
TWIGGY_VERSION=0.8.0
want_browser=0
want_bench=0
want_npm=0
want_espeak=0
for a in "$@"; do
  case "$a" in
    --browser) want_browser=1 ;;
    --npm) want_npm=1 ;;
    --espeak) want_espeak=1 ;;
    --bench) want_bench=1 ;;
    *) echo "setup: unknown argument '$a' (use --browser, --npm, --espeak and/or --bench)" >&2; exit 2 ;;
  esac
done

say() { printf 'setup: %s\n' "$*"; }
is_root() { [ "$(id -u)" -eq 0 ]; }
missing=()

# The exact wasm-bindgen version the crate was locked to: the CLI must match it to the letter.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
if [ -z "$WASM_BINDGEN_VERSION" ]; then
  echo "setup: cannot read the wasm-bindgen version from Cargo.lock" >&2
  exit 1
fi

command -v cargo >/dev/null || { echo "setup: cargo not found: install Rust with rustup first" >&2; exit 1; }

# 1. The wasm target (rust-toolchain.toml names it; rustup may not add it on its own).
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# 2. wasm-bindgen-cli at the locked version. (--locked fails against the registry for 0.2.130.)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (takes about 4 minutes)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# 3. wasm-pack.
if [ "$(wasm-pack --version 2>/dev/null | awk '{print $2}')" != "$WASM_PACK_VERSION" ]; then
  say "installing wasm-pack $WASM_PACK_VERSION"
  cargo install wasm-pack --version "$WASM_PACK_VERSION" --force
fi

# 4. The browser engines and their drivers, from Debian (never a downloaded browser), PulseAudio for the WAV
#    microphone of Firefox and WebKit (scripts/pulse-mic.sh), Xvfb for WebKit's MiniBrowser, python3 for
#    WebKit's driver relay (scripts/webkit-driver.py); geckodriver from crates.io.
if [ "$want_browser" = 1 ]; then
  apt_missing=()
  need() { command -v "$1" >/dev/null || apt_missing+=("$2"); }
  need chromium chromium
  need chromedriver chromium-driver
  need firefox-esr firefox-esr
  need WebKitWebDriver webkit2gtk-driver
  need Xvfb xvfb
  need xauth xauth
  need pulseaudio pulseaudio
  need pactl pulseaudio-utils
  need python3 python3
  if [ "${#apt_missing[@]}" -gt 0 ]; then
    if is_root; then
      say "installing ${apt_missing[*]} from apt"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq
      apt-get install -y -qq --no-install-recommends "${apt_missing[@]}" >/dev/null
    else
      missing+=("${apt_missing[*]} (as root: apt-get update && apt-get install ${apt_missing[*]})")
    fi
  fi
  # chromium and chromedriver must be the same build, or the session fails to start.
  cv=$(chromium --version 2>/dev/null | grep -oE '[0-9]+\.[0-9.]+' | head -1 || true)
  dv=$(chromedriver --version 2>/dev/null | grep -oE '[0-9]+\.[0-9.]+' | head -1 || true)
  if [ -n "$cv" ] && [ -n "$dv" ] && [ "$cv" != "$dv" ]; then
    echo "setup: chromium $cv and chromedriver $dv differ: apt-get install --only-upgrade chromium chromium-driver" >&2
    exit 1
  fi
  if [ "$(geckodriver --version 2>/dev/null | awk 'NR == 1 {print $2}')" != "$GECKODRIVER_VERSION" ]; then
    say "installing geckodriver $GECKODRIVER_VERSION (takes about 2 minutes)"
    cargo install geckodriver --version "$GECKODRIVER_VERSION" --locked --force
  fi
fi

# 5. npm dev packages, exactly as package-lock.json pins them (skipped while the lock is unchanged).
if [ "$want_npm" = 1 ]; then
  command -v npm >/dev/null || missing+=("node and npm (as root: apt-get install nodejs npm)")
  if command -v npm >/dev/null; then
    stamp=node_modules/.setup-stamp
    if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
      say "installing npm packages from package-lock.json"
      # `npm ci` rejects this registry's lock files (optional platform packages are recorded without
      # versions), so install from the exact versions in package.json and the lock.
      npm install --no-audit --no-fund --loglevel=error
      cp package-lock.json "$stamp"
    fi
  fi
fi

# 6. espeak-ng from Debian, for the local server's `--tts espeak` voice.
if [ "$want_espeak" = 1 ] && ! command -v espeak-ng >/dev/null; then
  if is_root; then
    say "installing espeak-ng from apt"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends espeak-ng >/dev/null
  else
    missing+=("espeak-ng (as root: apt-get update && apt-get install espeak-ng)")
  fi
fi

# 7. twiggy, for `make bench`'s size by layer.
if [ "$want_bench" = 1 ] && [ "$(twiggy --version 2>/dev/null | awk '{print $2}')" != "$TWIGGY_VERSION" ]; then
  say "installing twiggy $TWIGGY_VERSION (takes about 2 minutes)"
  cargo install twiggy --version "$TWIGGY_VERSION" --locked --force
fi

if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: these are missing and need root to install:" >&2
  for m in "${missing[@]}"; do echo "  - $m" >&2; done
  exit 1
fi
say "ready (wasm-bindgen $WASM_BINDGEN_VERSION, wasm-pack $WASM_PACK_VERSION)"
