#!/usr/bin/env bash
# Compile time of the SDK (issue 5, benchmark 6): a clean `cargo build -p s4e`,
# the rebuild after touching one endpoint file, and the rebuild after a real
# one-line edit of it. Extra arguments go to every build (e.g. `--release`).
#
#   benches/compile-time.sh
#   S4E_COMPILE_DIR=/tmp/elsewhere benches/compile-time.sh --release
#
# It works on a copy of the workspace under $S4E_COMPILE_DIR (default
# /tmp/s4e-compile-time), with its own target directory, so that neither the
# touch nor the edit changes the real tree (and nobody else's next build has
# to redo s4e). Crates are fetched first, so that no download is timed. The
# clean build leaves a per-crate report in $S4E_COMPILE_DIR/target/cargo-timings/.
set -euo pipefail
cd "$(dirname "$0")/.."

dir="${S4E_COMPILE_DIR:-/tmp/s4e-compile-time}"
endpoint="s4e/src/resources/findings.rs"

cargo fetch --locked --quiet
rm -rf "$dir"
mkdir -p "$dir/src"
# Tracked files and new ones not ignored: the workspace as it is now.
git ls-files -z --cached --others --exclude-standard |
    xargs -0 cp --parents --target-directory="$dir/src" 2>/dev/null || true
cd "$dir/src"
export CARGO_TARGET_DIR="$dir/target"

seconds() {
    local start end
    start=$(date +%s.%N)
    "$@"
    end=$(date +%s.%N)
    awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", e - s }'
}

echo "rustc: $(rustc --version), cores: $(nproc)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
clean=$(seconds cargo build -p s4e --locked --quiet --timings "$@")
touch "$endpoint"
touched=$(seconds cargo build -p s4e --locked --quiet "$@")
printf '\n/// A doc line added by benches/compile-time.sh.\nconst _COMPILE_TIME_EDIT: () = ();\n' >>"$endpoint"
edited=$(seconds cargo build -p s4e --locked --quiet "$@")
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"

echo
echo "| build | seconds |"
echo "|---|---|"
echo "| clean \`cargo build -p s4e $*\` | $clean |"
echo "| rebuild after \`touch $endpoint\` | $touched |"
echo "| rebuild after adding an item to \`$endpoint\` | $edited |"
echo
echo "per-crate report: $(ls -t "$dir"/target/cargo-timings/cargo-timing-*.html 2>/dev/null | head -n 1)"
