// swift-tools-version:6.1
import PackageDescription

// Data flows one way: BinlogFormat (bytes → events → values; no files, no threads) → BinlogIO
// (mapped files, gzip/zstd streams, seekable archives, --follow, threads: the readers that frame
// events with BinlogFormat over the bytes they own) → BinlogSchema and BinlogIndex → BinlogQuery →
// Exporters → CanalProtocol → BinlogPipeline (the loops of export, events and query: inputs,
// schema timeline, walk, consumer, sink) → CanalServer → sluice; BinlogReport and SluiceKit sit
// beside BinlogPipeline, on Exporters (BinlogArchive writes archives on BinlogIO alone). Only
// CanalServer and sluice link SwiftNIO. README's Layout section says what each module holds.
// CCRC32 (CRC-32 by PCLMULQDQ) and CTextSIMD (AVX2 UTF-8 validation and JSON/SQL escaping) are the
// C parts under BinlogFormat, chosen at run time by CPUID.
// SluiceTestSupport (under Tests/) is what the test targets share.
// SluiceKit is the facade for CI tests over fixture binlogs (read, filter, compare; a DocC
// catalog); it is not named `Sluice` because `Sources/Sluice` and `Sources/sluice` are one folder
// on case-insensitive file systems.
// Release builds drop the run-time exclusivity checks (debug builds and tests keep them): they
// were 6–8% of the instructions of an NDJSON export (swift_beginAccess on every class-held
// buffer and reader access in the per-row loop).
let fast: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(platforms: [.linux], configuration: .release))]

let package = Package(
  name: "Sluice",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "sluice", targets: ["sluice"]),
    .library(name: "BinlogFormat", targets: ["BinlogFormat"]),
    .library(name: "BinlogIO", targets: ["BinlogIO"]),
    .library(name: "BinlogSchema", targets: ["BinlogSchema"]),
    .library(name: "BinlogIndex", targets: ["BinlogIndex"]),
    .library(name: "BinlogQuery", targets: ["BinlogQuery"]),
    .library(name: "Exporters", targets: ["Exporters"]),
    .library(name: "CanalProtocol", targets: ["CanalProtocol"]),
    .library(name: "CanalServer", targets: ["CanalServer"]),
    .library(name: "BinlogArchive", targets: ["BinlogArchive"]),
    .library(name: "SluiceKit", targets: ["SluiceKit"]),
    .library(name: "BinlogReport", targets: ["BinlogReport"]),
    .library(name: "BinlogPipeline", targets: ["BinlogPipeline"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0", traits: []),
    .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    // `swift package generate-documentation --target SluiceKit` (scripts/test.sh).
    .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
  ],
  targets: [
    .systemLibrary(
      name: "CZstd",
      pkgConfig: "libzstd",
      providers: [.apt(["libzstd-dev"]), .brew(["zstd"])]
    ),
    .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
    // PCLMULQDQ CRC-32 folding (x86-64; other CPUs use the Swift table).
    .target(name: "CCRC32"),
    // AVX2 UTF-8 validation fused with JSON escaping (x86-64 with AVX2; else the Swift SWAR loops).
    .target(name: "CTextSIMD"),
    .target(name: "BinlogFormat", dependencies: ["CZstd", "CZlib", "CCRC32", "CTextSIMD"], swiftSettings: fast),
    // Mapped files, gzip/zstd streams, seekable zstd archives, --follow, threads and the ordered
    // worker pool: the readers hand BinlogFormat's framed events over the bytes they own.
    .target(name: "BinlogIO", dependencies: ["BinlogFormat", "CZstd", "CZlib"], swiftSettings: fast),
    .target(name: "BinlogSchema", dependencies: ["BinlogFormat", "BinlogIO"], swiftSettings: fast),
    .target(name: "BinlogIndex", dependencies: ["BinlogFormat", "BinlogIO", "CZstd"], swiftSettings: fast),
    .target(name: "BinlogQuery", dependencies: ["BinlogFormat", "BinlogIO", "BinlogIndex"], swiftSettings: fast),
    .target(
      name: "Exporters", dependencies: ["BinlogFormat", "BinlogIO", "BinlogSchema", "BinlogQuery", "CZstd"], swiftSettings: fast),
    .target(
      name: "CanalProtocol",
      dependencies: [
        "BinlogFormat", "BinlogIO", "BinlogSchema", "BinlogIndex", "BinlogQuery", "Exporters",
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ],
      exclude: ["Proto"],
      swiftSettings: fast
    ),
    // `sluice serve`: the Canal TCP server (NIO) over CanalProtocol's Entries.
    .target(
      name: "CanalServer",
      dependencies: [
        "BinlogFormat", "BinlogIO", "BinlogSchema", "BinlogIndex", "BinlogQuery", "Exporters", "CanalProtocol",
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
      ],
      swiftSettings: fast
    ),
    .target(name: "BinlogArchive", dependencies: ["BinlogFormat", "BinlogIO", "CZstd"], swiftSettings: fast),
    .target(
      name: "SluiceKit", dependencies: ["BinlogFormat", "BinlogIO", "BinlogSchema", "BinlogIndex", "BinlogQuery", "Exporters"]),
    // `sluice report`: an HTML page (or JSON) built from the indexes.
    .target(
      name: "BinlogReport", dependencies: ["BinlogFormat", "BinlogIO", "BinlogIndex", "BinlogQuery", "Exporters"],
      swiftSettings: fast),
    // The loops of `export`, `events` and `query` (inputs → schema timeline → walk or indexed
    // query → consumer → sink) and of `info`, `stats`, `index` and `schema`; the CLI parses
    // options and calls it.
    .target(
      name: "BinlogPipeline",
      dependencies: ["BinlogFormat", "BinlogIO", "BinlogSchema", "BinlogIndex", "BinlogQuery", "Exporters", "CanalProtocol"],
      swiftSettings: fast),
    .executableTarget(
      name: "sluice",
      dependencies: [
        "BinlogFormat", "BinlogIO", "BinlogSchema", "BinlogIndex", "BinlogQuery", "Exporters", "CanalProtocol", "CanalServer",
        "BinlogArchive", "SluiceKit", "BinlogReport", "BinlogPipeline",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      // Release builds on Linux link the Swift runtime and Foundation statically (what
      // `--static-swift-stdlib` does): the dynamic loader then maps and relocates only libc,
      // libstdc++, zlib and libzstd, and `sluice --version` costs ~35% less CPU (paired runs).
      // The modules were compiled against the shared Foundation, whose autolink entries omit the
      // archives the static one needs: they are named here. Debug builds and tests stay dynamic.
      // A static binary's crash backtrace needs `swift-backtrace-static` beside it (README).
      linkerSettings: [
        .unsafeFlags(
          [
            "-static-stdlib", "-Xlinker", "--start-group", "-l_FoundationCollections", "-lswiftSynchronization",
            "-l_FoundationCShims", "-lFoundationEssentials", "-Xlinker", "--end-group",
          ], .when(platforms: [.linux], configuration: .release))
      ]
    ),
    .testTarget(name: "BinlogFormatTests", dependencies: ["BinlogFormat", "BinlogIO", "SluiceTestSupport"]),
    .testTarget(name: "BinlogIOTests", dependencies: ["BinlogIO", "BinlogFormat", "SluiceTestSupport"]),
    .testTarget(
      name: "ExportersTests",
      dependencies: [
        "BinlogFormat", "BinlogIO", "Exporters", "BinlogQuery", "BinlogIndex", "BinlogPipeline", "SluiceTestSupport",
      ]),
    // Paths of the fixtures and the corpus, the built `sluice` runner, temporary directories.
    .target(name: "SluiceTestSupport", dependencies: ["CanalProtocol"], path: "Tests/SluiceTestSupport"),
    .testTarget(
      name: "CanalProtocolTests",
      dependencies: ["CanalProtocol", "BinlogFormat", "BinlogIO", "BinlogSchema", "Exporters", "SluiceTestSupport"],
      exclude: ["decode_entries.py", "canal_compare.py"]),
    .testTarget(
      name: "CanalServerTests",
      dependencies: [
        "CanalServer", "CanalProtocol", "BinlogFormat", "BinlogIO", "BinlogSchema", "BinlogQuery", "Exporters",
        "SluiceTestSupport",
      ],
      exclude: ["server_client.py"]),
    .testTarget(
      name: "BinlogSchemaTests", dependencies: ["BinlogSchema", "BinlogFormat", "BinlogIO", "SluiceTestSupport"],
      exclude: ["Data"]),
    .testTarget(name: "BinlogArchiveTests", dependencies: ["BinlogArchive", "BinlogFormat", "BinlogIO", "SluiceTestSupport"]),
    .testTarget(
      name: "BinlogQueryTests",
      dependencies: [
        "BinlogQuery", "BinlogIndex", "BinlogFormat", "BinlogIO", "Exporters", "BinlogArchive", "BinlogPipeline",
        "SluiceTestSupport",
      ]),
    // Runs the built `sluice` binary (depends on it so `swift test` builds it first).
    .testTarget(name: "SluiceCLITests", dependencies: ["sluice", "SluiceTestSupport"]),
  ]
)
