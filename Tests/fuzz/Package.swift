// swift-tools-version:6.1
import PackageDescription

// libFuzzer harness over Sluice's readers, index scanner and exporters, in its own package so
// that `swift build --sanitize fuzzer` instruments it without touching the main build.
// Run: Tests/fuzz/run.sh [SECONDS]
let package = Package(
  name: "SluiceFuzz",
  dependencies: [.package(name: "Sluice", path: "../..")],
  targets: [
    .executableTarget(
      name: "FuzzBinlog",
      dependencies: [
        .product(name: "BinlogFormat", package: "Sluice"),
        .product(name: "BinlogIO", package: "Sluice"),
        .product(name: "BinlogIndex", package: "Sluice"),
        .product(name: "BinlogSchema", package: "Sluice"),
        .product(name: "Exporters", package: "Sluice"),
        .product(name: "CanalProtocol", package: "Sluice"),
      ])
  ]
)
