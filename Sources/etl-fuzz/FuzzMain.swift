#if canImport(Glibc)
    import Glibc
#endif

/// `etl-fuzz`: the fuzz targets of `FuzzTarget`.
///
/// Built normally, it replays inputs: `etl-fuzz <target> <file>...` runs each file through the
/// target once, to reproduce a finding. Built by `bench/fuzz` with `-sanitize=fuzzer,address`
/// and `-DFUZZING`, it is a libFuzzer binary for the target named by `ETL_FUZZ_TARGET`, and
/// takes libFuzzer's options.
@main enum FuzzMain {
    static func main() {
        #if FUZZING
            guard let name = getenv("ETL_FUZZ_TARGET").map({ String(cString: $0) }) else { usage() }
            start(name)
            var argc = CommandLine.argc
            var argv = CommandLine.unsafeArgv
            exit(fuzzRunDriver(&argc, &argv, fuzzTestOneInput))
        #else
            let arguments = CommandLine.arguments.dropFirst()
            guard let name = arguments.first else { usage() }
            start(name)
            for file in arguments.dropFirst() {
                guard let data = try? readFile(file) else {
                    printError("Error: cannot read \(file)")
                    exit(1)
                }
                data.withUnsafeBufferPointer { FuzzState.run($0) }
                print("ran \(file)")
            }
        #endif
    }

    private static func start(_ name: String) {
        guard let target = FuzzTarget(rawValue: name) else { usage() }
        do {
            FuzzState.target = target
            FuzzState.workspace = try FuzzWorkspace()
        } catch {
            printError("Error: \(error); run etl-fuzz from the repository's root")
            exit(1)
        }
    }

    private static func usage() -> Never {
        let targets = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
        printError("Usage: etl-fuzz <\(targets)> <file>...   (or bench/fuzz <target> <seconds>)")
        exit(64)
    }

    private static func printError(_ line: String) {
        let text = Array((line + "\n").utf8)
        _ = text.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }

    private static func readFile(_ path: String) throws -> [UInt8] {
        guard let file = fopen(path, "rb") else { throw FuzzSetupError("cannot open \(path)") }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let got = fread(&chunk, 1, chunk.count, file)
            if got == 0 { break }
            bytes += chunk[0..<got]
        }
        return bytes
    }
}

/// The target and workspace of this process, set once before the first input.
enum FuzzState {
    nonisolated(unsafe) static var target = FuzzTarget.csv
    nonisolated(unsafe) static var workspace: FuzzWorkspace?

    static func run(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let workspace else { preconditionFailure("the fuzz workspace is not set up") }
        target.run(bytes, in: workspace)
    }
}

#if FUZZING
    /// libFuzzer's entry point for one input.
    @_cdecl("LLVMFuzzerTestOneInput")
    func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        FuzzState.run(UnsafeBufferPointer(start: data, count: size))
        return 0
    }

    /// libFuzzer's driver, for a program that has its own `main` (as every SwiftPM executable does).
    @_silgen_name("LLVMFuzzerRunDriver")
    func fuzzRunDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt
#endif
