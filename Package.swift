// swift-tools-version:6.2
import PackageDescription

/// Our own targets build in Swift 6 mode with every warning an error: NIO's APIs are `@preconcurrency`,
/// so Sendable problems in handler code would otherwise be warnings only.
let strict: [SwiftSetting] = [.treatAllWarnings(as: .error)]

let package = Package(
    name: "Sluice",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "sluice", targets: ["sluice"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.0.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        .target(
            name: "SluiceConfig",
            dependencies: [.product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        .target(name: "CSluiceSyscalls"),
        .target(
            name: "SluiceEngine",
            dependencies: [
                "SluiceConfig",
                "CSluiceSyscalls",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .systemLibrary(
            name: "CNcursesw",
            path: "Sources/CNcursesw",
            providers: [.apt(["libncursesw5-dev"])]
        ),
        .target(
            name: "SluiceConsole",
            dependencies: [
                "CNcursesw",
                "SluiceConfig",
                "SluiceEngine",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "SluiceAdmin",
            dependencies: [
                "SluiceConfig",
                "SluiceEngine",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                // swift-prometheus's counters and gauges are swift-metrics handlers (CoreMetrics).
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "SluiceEtcd",
            dependencies: [
                "SluiceConfig",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "SluiceImport",
            dependencies: [
                "SluiceConfig",
                "SluiceEngine",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "sluice",
            dependencies: [
                "SluiceConfig",
                "SluiceImport",
                "SluiceEngine",
                "SluiceEtcd",
                "SluiceAdmin",
                "SluiceConsole",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict,
            plugins: ["BuildInfo"]
        ),
        .plugin(name: "BuildInfo", capability: .buildTool()),
        .executableTarget(
            name: "sluice-bench",
            dependencies: [
                "SluiceConfig",
                "SluiceEngine",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Benchmarks/Sources/sluice-bench",
            swiftSettings: strict
        ),
        // The libFuzzer targets of Sluice's parsers, one executable (`sluice-fuzz TARGET …`). A plain build makes a
        // stub that says how to build it; `make fuzz` / `make sanitize-build` build it with coverage, AddressSanitizer
        // and libFuzzer's driver (-DSLUICE_FUZZ and the flags in the Makefile).
        .executableTarget(
            name: "sluice-fuzz",
            dependencies: ["SluiceConfig", "SluiceEngine", "SluiceAdmin"],
            path: "Fuzz/Sources/sluice-fuzz",
            swiftSettings: strict
        ),
        .testTarget(
            name: "SluiceAdminTests",
            dependencies: ["SluiceAdmin", "SluiceConfig", "SluiceEngine"],
            swiftSettings: strict
        ),
        .testTarget(name: "SluiceConfigTests", dependencies: ["SluiceConfig"], swiftSettings: strict),
        .testTarget(name: "SluiceImportTests", dependencies: ["SluiceImport", "SluiceConfig"], swiftSettings: strict),
        .testTarget(
            name: "SluiceConsoleTests",
            dependencies: ["SluiceConsole", "SluiceConfig", "SluiceEngine"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SluiceEngineTests",
            dependencies: [
                "SluiceEngine",
                "SluiceConfig",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
    ]
)
