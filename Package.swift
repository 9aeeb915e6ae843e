// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "spark-space",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "SparkSpace", targets: ["SparkSpace"]),
        .executable(name: "spark-space", targets: ["spark-space"]),
        .executable(name: "mock-webex", targets: ["mock-webex"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // libcurl through a module map plus typed, non-variadic inline shims. The shim
        // opens libcurl.so.4 with dlopen on first use, so nothing may link -lcurl: no
        // `pkgConfig: "libcurl"` here (its `--libs` would add -lcurl to the link and make
        // every start-up, --version included, load libcurl's ~35 dependencies).
        // <curl/curl.h> comes from the default include path (libcurl4-openssl-dev).
        .systemLibrary(
            name: "CCurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // The core: transport, API, paging, retry, settings, space operations, events.
        .target(
            name: "SparkSpace",
            dependencies: [
                "CCurl",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        // Command table, parser, commands, output formats, exit codes.
        .target(
            name: "SparkSpaceCLI",
            dependencies: ["SparkSpace"],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .executableTarget(
            name: "spark-space",
            dependencies: ["SparkSpaceCLI"],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        // A mock of the Webex API for the tests and benchmarks (loopback only).
        .target(
            name: "MockWebex",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/MockWebex",
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .executableTarget(
            name: "mock-webex",
            dependencies: ["MockWebex"],
            path: "Tests/mock-webex",
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .testTarget(
            name: "SparkSpaceTests",
            dependencies: ["SparkSpace", "MockWebex"],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .testTarget(
            name: "SparkSpaceCLITests",
            dependencies: ["SparkSpaceCLI", "MockWebex"],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["MockWebex", "SparkSpace", "SparkSpaceCLI", "spark-space"],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
    ]
)
