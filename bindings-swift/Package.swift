// swift-tools-version:5.9
// The Swift package of revcore. Run `bash generate.sh` first: it writes the generated sources
// under Sources/ (gitignored) and builds librevcore_swift in the cargo target directory, which
// the linker must be pointed at, e.g. `swift build -Xlinker -L../target/debug`.
import PackageDescription

let package = Package(
    name: "Revcore",
    platforms: [.macOS(.v12), .iOS(.v15)],
    products: [
        .library(name: "Revcore", targets: ["Revcore"]),
    ],
    targets: [
        // The C declarations of the Rust library (generated header + module.modulemap).
        .systemLibrary(name: "revcore_swiftFFI", path: "Sources/revcore_swiftFFI"),
        // The Swift API uniffi generates over them.
        .target(
            name: "Revcore",
            dependencies: ["revcore_swiftFFI"],
            path: "Sources/Revcore",
            linkerSettings: [.linkedLibrary("revcore_swift")]
        ),
    ]
)
