// swift-tools-version:6.1
import PackageDescription

// A package of its own, as a user's CI tests would be: it depends on Sluice by path and asserts
// on the fixture binlogs through SluiceKit. scripts/test.sh runs it (`swift test --package-path
// Examples`).
let package = Package(
  name: "SluiceExamples",
  platforms: [.macOS(.v13)],
  dependencies: [
    .package(name: "Sluice", path: "..")
  ],
  targets: [
    .testTarget(name: "FixtureTests", dependencies: [.product(name: "SluiceKit", package: "Sluice")])
  ]
)
