// swift-tools-version:6.0
import PackageDescription

// Module layout: see DESIGN.md §2. Dependencies point one way:
// spool/spoold → SpoolHandlers → SpoolWorker → SpoolOutbox → Spool → C modules.
let package = Package(
    name: "Spool",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Spool", targets: ["Spool"]),
        .library(name: "SpoolOutbox", targets: ["SpoolOutbox"]),
        .library(name: "SpoolWorker", targets: ["SpoolWorker"]),
        .library(name: "SpoolHandlers", targets: ["SpoolHandlers"]),
        .executable(name: "spool", targets: ["spool"]),
        .executable(name: "spoold", targets: ["spoold"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CHiredis",
            providers: [.apt(["libhiredis-dev"])]
        ),
        .systemLibrary(
            name: "CLibpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(
            name: "Spool",
            dependencies: [
                "CHiredis",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "SpoolOutbox",
            dependencies: [
                "Spool",
                "CLibpq",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "SpoolWorker",
            dependencies: [
                "Spool",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "SpoolTestSupport",
            path: "Tests/SpoolTestSupport"
        ),
        .testTarget(
            name: "SpoolWorkerTests",
            dependencies: ["SpoolWorker", "Spool", "SpoolTestSupport"]
        ),
        .target(
            name: "SpoolHandlers",
            dependencies: [
                "SpoolWorker",
                "Spool",
                "CCurl",
                "CZlib",
                "SpoolOutbox",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),
        .executableTarget(
            name: "spool",
            dependencies: [
                "Spool",
                "SpoolOutbox",
                "SpoolWorker",
                "SpoolHandlers",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "spoold",
            dependencies: [
                "SpoolHandlers",
                "SpoolWorker",
                "SpoolOutbox",
                "Spool",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "spool-bench",
            dependencies: [
                "Spool",
                "SpoolWorker",
                "SpoolOutbox",
                "SpoolHandlers",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "SpoolCLITests",
            dependencies: ["Spool", "SpoolHandlers", "SpoolTestSupport"]
        ),
        .testTarget(
            name: "SpooldTests",
            dependencies: ["Spool", "SpoolOutbox", "SpoolTestSupport"]
        ),
        .testTarget(
            name: "SpoolHandlersTests",
            dependencies: [
                "SpoolHandlers",
                "SpoolWorker",
                "SpoolOutbox",
                "Spool",
                "SpoolTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "SpoolOutboxTests",
            dependencies: [
                "SpoolOutbox",
                "Spool",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "SpoolTests",
            dependencies: ["Spool", "SpoolTestSupport"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
