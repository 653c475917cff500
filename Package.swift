// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "photopipe",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "photopiped", targets: ["photopiped"]),
        .executable(name: "pipectl", targets: ["pipectl"]),
        .executable(name: "ppquality", targets: ["ppquality"]),
        .executable(name: "ppsample", targets: ["ppsample"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // C at the edge: declaration-only system libraries and one shim target.
        .systemLibrary(name: "CVips", pkgConfig: "vips", providers: [.apt(["libvips-dev"])]),
        .systemLibrary(name: "CExif", pkgConfig: "libexif", providers: [.apt(["libexif-dev"])]),
        .systemLibrary(name: "CInotifyTools", providers: [.apt(["libinotifytools0-dev"])]),
        .systemLibrary(name: "CGLib", pkgConfig: "glib-2.0", providers: [.apt(["libglib2.0-dev"])]),
        // Image and metadata work: variadic vips calls, libexif, inotify's name field, contact sheets.
        .target(name: "CShims", dependencies: ["CVips", "CExif", "CInotifyTools"]),
        // Neither image nor metadata: POSIX/Linux calls, GLib's SHA-256 and libxcrypt's password hashes,
        // for the daemon, delivery and policy.
        .target(name: "CSystem", dependencies: ["CGLib"], linkerSettings: [.linkedLibrary("crypt")]),
        .target(name: "CLinux"),
        // ONNX Runtime through dlopen: the runtime comes from a PyPI wheel, with no C header to build against.
        .target(name: "CMatte", linkerSettings: [.linkedLibrary("dl")]),
        // LibRaw's thread-safe build, for camera RAW files.
        .target(name: "CRaw", linkerSettings: [.linkedLibrary("raw_r")]),

        // Policy in plain Swift.
        .target(name: "PipelineCore", dependencies: ["CLinux", "CSystem"]),
        .target(name: "ControlProtocol"),
        .target(name: "Imaging", dependencies: ["CShims", "CRaw"]),
        .target(name: "Ingest", dependencies: ["Imaging", "PipelineCore"]),
        // Per-pixel policy: optimised even in debug builds, or the test suite's daemon crawls.
        .target(name: "Retouch", dependencies: ["CMatte", "Imaging", "PipelineCore"], swiftSettings: [.unsafeFlags(["-O"])]),
        .target(name: "Review", dependencies: ["PipelineCore"]),
        .target(name: "Export", dependencies: ["Imaging", "PipelineCore"]),
        .target(name: "Delivery", dependencies: ["PipelineCore"]),
        // The review workbench: pages, models and policy of the web server, in plain Swift.
        .target(name: "Workbench", dependencies: ["PipelineCore"]),
        // Scene variants composited around the master's true pixels; per-pixel work, so optimised like Retouch.
        .target(name: "Generate", dependencies: ["CSystem", "Imaging", "PipelineCore"], swiftSettings: [.unsafeFlags(["-O"])]),
        // Test support, linked by no production binary: synthetic studio shots (clean and with planted
        // defects), and ground truth for the retouch stage with its metrics.
        .target(name: "SampleShots", dependencies: ["Imaging"]),
        .target(name: "QualityHarness", dependencies: ["Imaging", "SampleShots"], swiftSettings: [.unsafeFlags(["-O"])]),

        // The daemon: supervisor, services and control server; no image work happens in it.
        .target(name: "PhotopipeDaemon", dependencies: [
            "CShims", "CSystem", "CInotifyTools", "Imaging", "PipelineCore", "ControlProtocol", "Ingest", "Retouch", "Review", "Export", "Delivery", "Workbench",
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Thin executables.
        .executableTarget(name: "photopiped", dependencies: [
            "CShims", "CSystem", "Imaging", "PipelineCore", "ControlProtocol", "Ingest", "Retouch", "Review", "Export", "Delivery",
            "Generate", "PhotopipeDaemon",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "ppsample", dependencies: [
            "Imaging", "SampleShots",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "ppquality", dependencies: [
            "Generate", "Imaging", "PipelineCore", "QualityHarness", "Retouch", "SampleShots",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "pipectl", dependencies: [
            "ControlProtocol", "PipelineCore",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "PipelineCoreTests", dependencies: ["PipelineCore", "Review", "ControlProtocol", "Delivery"]),
        .testTarget(name: "WorkbenchTests", dependencies: ["Workbench", "PipelineCore"]),
        .testTarget(name: "StageTests", dependencies: ["Imaging", "PipelineCore", "Ingest", "Retouch", "Export", "QualityHarness", "SampleShots"]),
        .testTarget(name: "GenerateTests", dependencies: ["Generate", "Imaging", "PipelineCore", "Retouch", "Review"], exclude: ["Support"]),
        .testTarget(name: "IntegrationTests", dependencies: ["PipelineCore", "ControlProtocol", "Imaging", "Delivery", "PhotopipeDaemon", "SampleShots", "Workbench"]),
    ]
)
