// swift-tools-version:6.2
import PackageDescription

/// libFuzzer targets for Sluice's parsers, kept out of the main package because they link libFuzzer's driver and
/// build with coverage and AddressSanitizer (`make fuzz` passes the flags). One executable per parser.
let package = Package(
    name: "SluiceFuzz",
    dependencies: [.package(name: "Sluice", path: "..")],
    targets: [
        .target(name: "FuzzSupport", path: "Sources/FuzzSupport"),
        .executableTarget(
            name: "FuzzJSON",
            dependencies: ["FuzzSupport", .product(name: "SluiceConfig", package: "Sluice")]
        ),
        .executableTarget(
            name: "FuzzYAML",
            dependencies: ["FuzzSupport", .product(name: "SluiceConfig", package: "Sluice")]
        ),
        .executableTarget(
            name: "FuzzStoredObjects",
            dependencies: ["FuzzSupport", .product(name: "SluiceConfig", package: "Sluice")]
        ),
        .executableTarget(
            name: "FuzzMQTT",
            dependencies: ["FuzzSupport", .product(name: "SluiceEngine", package: "Sluice")]
        ),
        .executableTarget(
            name: "FuzzProxyProtocol",
            dependencies: ["FuzzSupport", .product(name: "SluiceEngine", package: "Sluice")]
        ),
        .executableTarget(
            name: "FuzzClientHello",
            dependencies: ["FuzzSupport", .product(name: "SluiceEngine", package: "Sluice")]
        ),
        .executableTarget(
            name: "FuzzAdmin",
            dependencies: [
                "FuzzSupport",
                .product(name: "SluiceAdmin", package: "Sluice"),
                .product(name: "SluiceConfig", package: "Sluice"),
            ]
        ),
    ]
)
