#!/usr/bin/env bash
# Builds the revcore-swift library and generates its bindings from it (uniffi library mode):
#   Sources/Revcore/revcore_swift.swift            the Swift API (target `Revcore`)
#   Sources/revcore_swiftFFI/revcore_swiftFFI.h    the C declarations it calls
#   Sources/revcore_swiftFFI/module.modulemap      the C module `revcore_swiftFFI`
#   generated/python/revcore_swift.py + the built library beside it, which the tests import
# All of it is generated, gitignored and rewritten on every run; Package.swift is committed.
# Works from any directory; debug builds (the bindgen is slow in release, tests need it correct).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
manifest="$root/Cargo.toml"

# Where cargo puts its output: CARGO_TARGET_DIR, a .cargo/config or the workspace default.
target_dir="$(cargo metadata --format-version 1 --no-deps --manifest-path "$manifest" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"

case "$(uname -s)" in
    Darwin) lib_file="librevcore_swift.dylib" ;;
    *) lib_file="librevcore_swift.so" ;;
esac

# The bindgen first: building it enables `uniffi/cli`, and the library is built last so the one
# in target/debug is the plain one the bindings are generated from and shipped with.
cargo build --quiet --manifest-path "$manifest" -p revcore-swift --features cli --bin uniffi-bindgen
cargo build --quiet --manifest-path "$manifest" -p revcore-swift --lib
lib="$target_dir/debug/$lib_file"
bindgen="$target_dir/debug/uniffi-bindgen"

staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
mkdir -p "$staging/swift" "$staging/python"
for language in swift python; do
    # The bindgen reads `cargo metadata` (crate configs) from its working directory, hence the cd.
    # --no-format: swift-format and friends are not assumed, and output must not depend on them.
    (cd "$root" && "$bindgen" generate --library "$lib" --language "$language" \
        --out-dir "$staging/$language" --no-format >/dev/null)
done

swift_target="$here/Sources/Revcore"
ffi_target="$here/Sources/revcore_swiftFFI"
python_out="$here/generated/python"
rm -rf "$swift_target" "$ffi_target" "$python_out"
mkdir -p "$swift_target" "$ffi_target" "$python_out"
cp "$staging/swift/revcore_swift.swift" "$swift_target/"
cp "$staging/swift/revcore_swiftFFI.h" "$ffi_target/"
# SwiftPM reads a C module's map from `module.modulemap` in the target's directory.
cp "$staging/swift/revcore_swiftFFI.modulemap" "$ffi_target/module.modulemap"
cp "$staging/python/revcore_swift.py" "$python_out/"
cp "$lib" "$python_out/"

echo "generate.sh: Swift package sources in $here/Sources, Python module in $python_out"
