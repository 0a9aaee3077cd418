import ETLCore
import ETLImport
import ETLNormalise
import ETLPipeline

#if canImport(Glibc)
    import Glibc
#endif

/// One fuzz target: a reader, the pipeline loader or the standardisers, fed arbitrary bytes.
/// A target returns normally for any input; only a crash, a hang or a runaway allocation is a
/// finding. The readers use the demo pipeline's sources, so seeds from `fixtures/` reach the
/// mapping code.
enum FuzzTarget: String, CaseIterable {
    /// The CSV reader, once per encoding: UTF-8, GB18030 and `auto`.
    case csv
    /// The XML reader.
    case xml
    /// The JSON document reader and the JSON Lines reader, on the same bytes.
    case json
    /// The pipeline-file loader and validator, including the inbox check.
    case pipeline
    /// The ID-number, name, phone, date and address standardisers, one line of the input at a
    /// time, and the region table.
    case standardisers

    /// Runs the target on `bytes`.
    func run(_ bytes: UnsafeBufferPointer<UInt8>, in workspace: FuzzWorkspace) {
        switch self {
        case .csv:
            let path = workspace.write(bytes, as: "export.csv")
            for encoding in [TextEncoding.utf8, .gb18030, .auto] {
                workspace.read(path, format: .csv, source: "social_security", encoding: encoding)
            }
        case .xml:
            workspace.read(workspace.write(bytes, as: "export.xml"), format: .xml, source: "health_insurance")
        case .json:
            let path = workspace.write(bytes, as: "export.json")
            workspace.read(path, format: .json, source: "civil_affairs")
            workspace.read(path, format: .jsonl, source: "civil_affairs")
        case .pipeline:
            let path = workspace.write(bytes, as: "pipeline.json")
            if let (pipeline, _) = try? Pipeline.load(path: path) {
                _ = pipeline.checkInbox(workspace.inbox)
            }
        case .standardisers:
            let text = String(decoding: bytes, as: UTF8.self)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let pattern = lines.first.flatMap { DatePattern($0) }
            for line in lines.prefix(64) {
                let id = IDNumber(line)
                _ = id.mismatches(birthDate: line, sex: .male)
                _ = id.region.map { RegionTable.shared.hierarchy(of: $0) }
                _ = RegionTable.shared.hierarchy(of: line)
                _ = workspace.addresses.standardise(line)
                _ = PhoneNumber(line)
                _ = workspace.names.standardise(line)
                _ = pattern?.isoDate(from: line)
                for format in FuzzWorkspace.datePatterns { _ = format.isoDate(from: line) }
            }
        }
    }
}

/// A private folder for the inputs, and the specs the readers use.
final class FuzzWorkspace {
    let folder: String
    let inbox: String
    let names = NameStandardiser()
    let addresses = AddressStandardiser()
    private let sources: [String: SourceSpec]

    static let datePatterns = ["yyyy-MM-dd", "yyyy/M/d", "yyyyMMdd", "yyyy年M月d日"].compactMap { DatePattern($0) }

    /// Loads `pipelines/demo.json` (relative to the working folder, the repository's root) for
    /// the readers' specs.
    init() throws {
        var template = Array("/tmp/etl-fuzz-XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else { throw FuzzSetupError("cannot create a temporary folder") }
        folder = String(cString: created)
        inbox = folder + "/inbox"
        mkdir(inbox, 0o700)
        let (pipeline, _) = try Pipeline.load(path: "pipelines/demo.json")
        sources = Dictionary(uniqueKeysWithValues: pipeline.sources.map { ($0.name, $0.spec) })
    }

    deinit {
        for name in ["export.csv", "export.xml", "export.json", "pipeline.json"] { unlink(folder + "/" + name) }
        rmdir(inbox)
        rmdir(folder)
    }

    func write(_ bytes: UnsafeBufferPointer<UInt8>, as name: String) -> String {
        let path = folder + "/" + name
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        precondition(descriptor >= 0, "cannot write the fuzz input")
        var written = 0
        while written < bytes.count {
            let result = Glibc.write(descriptor, bytes.baseAddress! + written, bytes.count - written)
            precondition(result > 0, "cannot write the fuzz input")
            written += result
        }
        close(descriptor)
        return path
    }

    /// Reads the file to its end as the pipeline runner would; import errors are expected.
    func read(_ path: String, format: SourceFormat, source: String, encoding: TextEncoding = .utf8) {
        guard var spec = sources[source] else { preconditionFailure("the demo pipeline has no source \(source)") }
        // Small limits, so that the fuzzer reaches them with small inputs.
        spec.maxRecordBytes = 4096
        spec.csv.maxQuotedFieldBytes = 512
        spec.csv.maxQuotedFieldLines = 8
        do {
            let fingerprint = try FileFingerprint.compute(path: path, displayName: "input")
            let resolved = try encoding.resolved(for: fingerprint, format: format, file: "input")
            let stream = try RecordStream(
                path: path, displayName: "input", format: format, spec: spec, encoding: resolved)
            while true {
                var batch = RowBatch(file: "input")
                guard try stream.read(into: &batch, maxItems: 64) else { break }
                precondition(batch.count + batch.rejects.count <= 64, "a batch holds more items than asked for")
            }
        } catch {
            // A file-level failure is an expected outcome; it must only be described.
            _ = error.description
        }
    }
}

struct FuzzSetupError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
