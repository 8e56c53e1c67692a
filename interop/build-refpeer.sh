#!/usr/bin/env bash
# Builds the original Elixir implementation (the reference peer kit in ../shared/refpeer) into
# OUTDIR and makes its certificates in OUTDIR/certs, unless a complete build is already there.
#   usage: interop/build-refpeer.sh OUTDIR [KIT]     (KIT defaults to ../shared/refpeer of the checkout)
# Run by .ci/run before ./build test, and by the interop module's build when OUTDIR is incomplete.
# Fails (exit 1) with a line saying why when the peer cannot be built: the interoperability tests are
# never skipped silently.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:?usage: $0 OUTDIR [KIT]}"
kit="${2:-$here/../../shared/refpeer}"

complete() {
  [ -x "$out/bin/server.sh" ] && [ -x "$out/bin/client.sh" ] \
    && [ -f "$out/refpeer/_build/prod/lib/refpeer/ebin/refpeer.app" ] \
    && [ -f "$out/certs/ca.pem" ] && [ -f "$out/certs/client-1.key" ] && [ -f "$out/certs/allowed/client-1.pem" ]
}

if complete; then
  echo "reference peer: $out is built"
  exit 0
fi
if [ ! -x "$kit/build.sh" ] || [ ! -x "$kit/make-certs.sh" ]; then
  echo "reference peer: cannot build it: no build.sh/make-certs.sh in the kit $kit (../shared/refpeer next to the checkout)" >&2
  exit 1
fi
echo "reference peer: building $kit into $out"
mkdir -p "$out"
if ! bash "$kit/build.sh" "$out" >"$out.build.log" 2>&1; then
  echo "reference peer: build.sh failed (the original cannot be built, so the interoperability tests cannot run);" \
    "last lines of $out.build.log:" >&2
  tail -n 20 "$out.build.log" >&2
  exit 1
fi
if ! bash "$kit/make-certs.sh" "$out/certs" >>"$out.build.log" 2>&1; then
  echo "reference peer: make-certs.sh failed; last lines of $out.build.log:" >&2
  tail -n 20 "$out.build.log" >&2
  exit 1
fi
if ! complete; then
  echo "reference peer: build.sh and make-certs.sh succeeded but $out is incomplete (see $out.build.log)" >&2
  exit 1
fi
grep '^== versions' "$out.build.log" || true
echo "reference peer: built into $out"
