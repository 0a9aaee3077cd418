// swift-tools-version:6.0
import PackageDescription

// The pipeline, top to bottom: the `etl` executable runs ETLCLI, which calls ETLPipeline.
// ETLPipeline wires the stages (ETLImport, ETLNormalise, ETLPublish) over
// ETLStore (SQLite) and ETLCore (shared types). No stage imports another stage.
let package = Package(
    name: "etl",
    products: [
        .executable(name: "etl", targets: ["etl"])
    ],
    dependencies: [],
    targets: [
        // C libraries from Debian, as system-library targets.
        .systemLibrary(
            name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(
            name: "CLibXML2", path: "Sources/CLibXML2", pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(
            name: "CCrypto", path: "Sources/CCrypto", pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]),

        // Shared vocabulary and the state store.
        .target(name: "ETLCore", dependencies: ["CCrypto"], exclude: ["RegionTable+Data.LICENSE"]),
        .target(name: "ETLStore", dependencies: ["ETLCore", "CSQLite"]),

        // Stages.
        .target(name: "ETLImport", dependencies: ["ETLCore", "CLibXML2"]),
        .target(name: "ETLNormalise", dependencies: ["ETLCore"]),
        .target(name: "ETLPublish", dependencies: ["ETLCore", "ETLStore", "CCrypto"]),

        // Wiring, command line, executable.
        .target(
            name: "ETLPipeline", dependencies: ["ETLCore", "ETLStore", "ETLImport", "ETLNormalise", "ETLPublish"]),
        .target(name: "ETLCLI", dependencies: ["ETLPipeline", "ETLCore"]),
        .executableTarget(name: "etl", dependencies: ["ETLCLI"]),
        // Fuzz targets (bench/fuzz); built normally, it replays inputs.
        .executableTarget(name: "etl-fuzz", dependencies: ["ETLPipeline", "ETLImport", "ETLNormalise", "ETLCore"]),

        // The labelled generator and quality scorer of bench/ (a library, so tests can use it).
        .target(name: "Synth", path: "bench/Synth"),
        .executableTarget(
            name: "etl-synth", dependencies: ["Synth", "ETLPipeline", "ETLNormalise"], path: "bench/SynthTool"),

        // Tests mirror the modules; EndToEndTests runs the built binary.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "ETLCoreTests", dependencies: ["ETLCore", "TestSupport"]),
        .testTarget(name: "ETLStoreTests", dependencies: ["ETLStore", "TestSupport"]),
        .testTarget(name: "ETLImportTests", dependencies: ["ETLImport", "TestSupport"]),
        .testTarget(name: "ETLNormaliseTests", dependencies: ["ETLNormalise", "ETLCore"]),
        .testTarget(name: "ETLPublishTests", dependencies: ["ETLPublish", "ETLCore", "ETLStore", "TestSupport"]),
        .testTarget(
            name: "ETLPipelineTests",
            dependencies: ["ETLPipeline", "ETLNormalise", "ETLPublish", "ETLStore", "Synth", "TestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["etl", "ETLStore", "Synth", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
