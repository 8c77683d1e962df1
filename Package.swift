// swift-tools-version:6.1
import PackageDescription

// Every target is compiled in Swift 6 language mode with these upcoming features,
// so the concurrency and existential rules are the same everywhere.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "FrontDesk",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "frontdesk", targets: ["frontdesk"]),
        .executable(name: "frontdesk-net", targets: ["frontdesk-net"]),
        .executable(name: "frontdesk-server", targets: ["frontdesk-server"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        // The booking server only (never linked by the desk: see ARCHITECTURE.md).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // PostgreSQL for the booking server (issue 13): FrontDeskPostgres only, never the desk.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // Rules of the hotel: no SQLite, no terminal, no network.
        .target(name: "FrontDeskDomain", swiftSettings: strictSettings),
        // One SQLite file per desk, behind an intent-named facade.
        .target(
            name: "FrontDeskStore",
            dependencies: ["FrontDeskDomain", "CSQLiteSettings", .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "GRDBSQLite", package: "GRDB.swift")],
            swiftSettings: strictSettings
        ),
        // SQLite's process-wide settings (`sqlite3_config` is variadic: Swift cannot call it).
        .systemLibrary(name: "CSQLiteSettings", path: "Sources/CSQLiteSettings"),
        // ncursesw, with a shim for what Swift cannot import. Only FrontDeskTerminal uses it.
        .systemLibrary(name: "CNcursesw", path: "Sources/CNcursesw"),
        // Screens: state rendered into a cell buffer, the command table, key handling. No terminal.
        .target(name: "FrontDeskScreens", dependencies: ["FrontDeskDomain"], swiftSettings: strictSettings),
        // The terminal adaptor: the only code that touches ncurses, on the UI thread.
        .target(
            name: "FrontDeskTerminal",
            dependencies: [
                "CNcursesw", "FrontDeskDomain", "FrontDeskScreens", "FrontDeskStore", "FrontDeskPayments",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            swiftSettings: strictSettings
        ),
        // HTTP as plain data, and the client of the network helper process. No networking library.
        .target(name: "FrontDeskHTTP", swiftSettings: strictSettings),
        // URLSession (FoundationNetworking, libcurl): linked only by the network helper and tests.
        .target(name: "FrontDeskURLSession", dependencies: ["FrontDeskHTTP"], swiftSettings: strictSettings),
        // The network helper `frontdesk` starts on its first HTTP call (see NetworkHelperExchange).
        .executableTarget(name: "frontdesk-net", dependencies: ["FrontDeskURLSession"], swiftSettings: strictSettings),
        // Payments over HTTP, the circuit breaker, and the payment simulator.
        .target(name: "FrontDeskPayments", dependencies: ["FrontDeskDomain", "FrontDeskHTTP"], swiftSettings: strictSettings),
        // A connected desk's sync client (issue 12): login, replica, changes, pushes over an
        // HTTPExchange (the network helper on the desk); the connection file. No networking library.
        .target(name: "FrontDeskSync", dependencies: ["FrontDeskDomain", "FrontDeskStore", "FrontDeskHTTP"], swiftSettings: strictSettings),
        // The command line: argument parsing, JSON and CSV output, error mapping.
        .target(
            name: "FrontDeskCLI",
            dependencies: [
                "FrontDeskDomain", "FrontDeskStore", "FrontDeskPayments", "FrontDeskScreens", "FrontDeskTerminal", "FrontDeskSync",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(name: "frontdesk", dependencies: ["FrontDeskCLI"], swiftSettings: strictSettings),
        // The booking server for a chain: Hummingbird routes, tokens, problem answers. Its heavy
        // dependencies (SwiftNIO, BoringSSL) stay in these two targets.
        .target(
            name: "FrontDeskServer",
            dependencies: [
                "FrontDeskDomain", "FrontDeskStore", "FrontDeskPayments", "FrontDeskHTTP", "FrontDeskURLSession",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // The booking server's PostgreSQL backend (issue 13): the storage protocols over postgres-nio.
        // Linked by frontdesk-server and tests only; the desk never links SwiftNIO.
        .target(
            name: "FrontDeskPostgres",
            dependencies: [
                "FrontDeskDomain", "FrontDeskStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "frontdesk-server",
            dependencies: ["FrontDeskServer", "FrontDeskStore", "FrontDeskDomain", "FrontDeskPostgres", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strictSettings
        ),
        // Benchmarks: the store against the raw sqlite3 C API floor, in one process.
        .executableTarget(
            name: "frontdesk-bench",
            dependencies: [
                "FrontDeskDomain", "FrontDeskStore", "FrontDeskScreens", "FrontDeskTerminal",
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
        // A seeded fuzzer over the simulator's request parser and the booking-form rules (scripts/fuzz; not in CI).
        .executableTarget(name: "frontdesk-fuzz", dependencies: ["FrontDeskDomain", "FrontDeskPayments"], swiftSettings: strictSettings),
        // A database file with a small hotel and a hand-moved clock, shared by the test targets.
        .target(
            name: "FrontDeskTestSupport",
            dependencies: ["FrontDeskDomain", "FrontDeskStore", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Tests/FrontDeskTestSupport",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "FrontDeskScreensTests",
            dependencies: ["FrontDeskDomain", "FrontDeskPayments", "FrontDeskScreens", "FrontDeskStore", "FrontDeskTerminal", "FrontDeskTestSupport", "frontdesk-net"],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "FrontDeskDomainTests", dependencies: ["FrontDeskDomain"], swiftSettings: strictSettings),
        .testTarget(
            name: "FrontDeskStoreTests",
            dependencies: ["FrontDeskDomain", "FrontDeskStore", "FrontDeskPostgres", "FrontDeskTestSupport", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "FrontDeskSagaTests",
            dependencies: [
                "FrontDeskDomain", "FrontDeskStore", "FrontDeskPayments", "FrontDeskTestSupport",
                "FrontDeskHTTP", "FrontDeskURLSession", "FrontDeskSync", "frontdesk-net",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "FrontDeskCLITests",
            dependencies: [
                "FrontDeskDomain", "FrontDeskStore", "FrontDeskPayments", "FrontDeskCLI", "frontdesk", "frontdesk-net", "FrontDeskTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
        // Offline desks end to end: real `frontdesk` desks against a real `frontdesk-server`.
        .testTarget(
            name: "FrontDeskSyncTests",
            dependencies: ["FrontDeskDomain", "FrontDeskStore", "FrontDeskSync", "FrontDeskHTTP", "FrontDeskTestSupport", "frontdesk", "frontdesk-net", "frontdesk-server"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "FrontDeskServerTests",
            dependencies: ["FrontDeskDomain", "FrontDeskStore", "FrontDeskServer", "frontdesk-server", "FrontDeskTestSupport", "FrontDeskPayments",
                           .product(name: "GRDB", package: "GRDB.swift"), .product(name: "NIOPosix", package: "swift-nio")],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
