// swift-tools-version:6.0
import PackageDescription

// Debug builds (the tests' build) compile this package's own modules optimized too: a debug
// walk, archive or listener spends most of its time in unspecialized generics and
// retain/release, which made the test suite CPU-bound (issue 23: 2.5x less CPU in the heavy
// suites). DEBUG stays defined, so debug-only checks still run. SPARK_SPACE_ONONE=1 swift build
// gives a plain -Onone build, to step through in a debugger.
// Only when this package is the one being built: SwiftPM refuses a product with unsafe flags
// from a package another one depends on by version, and evaluates such a package's manifest in
// the other one's build folder: `checkouts/` or `repositories/` under `.build/`, a
// `--scratch-path` or Xcode's `SourcePackages/`.
let isDependency = ["checkouts", "repositories"].contains(
    Context.packageDirectory.split(separator: "/").dropLast().last.map(String.init) ?? "")
let optimized: [SwiftSetting] = Context.environment["SPARK_SPACE_ONONE"] == nil && !isDependency
    ? [.unsafeFlags(["-O"], .when(configuration: .debug))] : []

let package = Package(
    name: "spark-space",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "SparkSpace", targets: ["SparkSpace"]),
        // The webhook receiver and the signature check, for a server of one's own (swift-nio, swift-crypto).
        .library(name: "SparkSpaceListen", targets: ["SparkSpaceListen"]),
        .executable(name: "spark-space", targets: ["spark-space"]),
        .executable(name: "mock-webex", targets: ["mock-webex"]),
    ],
    dependencies: [
        // 4.x: builds on FoundationEssentials, so the binary links no ICU (issue #13).
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
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
        // libyaml's C API: the settings loader reads its events (no Foundation, bounded).
        .systemLibrary(
            name: "CYaml",
            providers: [.apt(["libyaml-dev"])]
        ),
        // The core: transport, API, paging, retry, settings, space operations, events.
        // Nothing here serves HTTP.
        .target(
            name: "SparkSpace",
            dependencies: ["CCurl", "CYaml"],
            swiftSettings: optimized
        ),
        // The webhook receiver of `listen`: an HTTP server (swift-nio) and HMAC signatures.
        .target(
            name: "SparkSpaceListen",
            dependencies: [
                "SparkSpace",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: optimized
        ),
        // Command table, parser, commands, output formats, exit codes.
        .target(
            name: "SparkSpaceCLI",
            dependencies: ["SparkSpace", "SparkSpaceListen"],
            swiftSettings: optimized
        ),
        .executableTarget(
            name: "spark-space",
            dependencies: ["SparkSpaceCLI"]
        ),
        // A mock of the Webex API for the tests and benchmarks (loopback only).
        .target(
            name: "MockWebex",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            path: "Tests/MockWebex",
            swiftSettings: optimized
        ),
        .executableTarget(
            name: "mock-webex",
            dependencies: ["MockWebex"],
            path: "Tests/mock-webex"
        ),
        .testTarget(
            name: "SparkSpaceTests",
            dependencies: ["SparkSpace", "SparkSpaceListen", "MockWebex"]
        ),
        .testTarget(
            name: "SparkSpaceCLITests",
            dependencies: ["SparkSpaceCLI", "MockWebex"]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["MockWebex", "SparkSpace", "SparkSpaceListen", "SparkSpaceCLI", "spark-space", "mock-webex"]
        ),
    ]
)
