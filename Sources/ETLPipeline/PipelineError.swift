import ETLImport
import ETLStore

/// Why a pipeline could not be loaded or run, with what to fix and where.
public enum PipelineError: Error, Sendable, CustomStringConvertible {
    /// No pipeline file by that name or path.
    case notFound(name: String, searched: [String])
    /// The pipeline file could not be read.
    case cannotRead(path: String, reason: String)
    /// The pipeline file has errors; each diagnostic says where and what.
    case invalid([Diagnostic])
    /// The pipeline names no inbox and none was given.
    case noInbox(pipeline: String)
    /// The inbox is not a folder.
    case inboxNotFound(String)
    /// The state store failed.
    case store(StoreError)
    /// A command that reads runs was given a state folder that does not exist.
    case noStateFolder(String)
    /// Another run holds the state folder's lock.
    case locked(stateFolder: String, holder: String)
    /// `etl explain` was given a resident ID or record that the state store does not know.
    case unknown(what: String, hint: String)

    public var description: String {
        switch self {
        case .notFound(let name, let searched):
            return
                "no pipeline '\(name)'; looked for \(searched.map { "'\($0)'" }.joined(separator: " and ")); give a pipeline name in pipelines/ or a path to a .json file"
        case .cannotRead(let path, let reason):
            return "cannot read the pipeline file \(path): \(reason)"
        case .invalid(let diagnostics):
            let errors = diagnostics.filter { $0.severity == .error }.count
            return
                "\(diagnostics.map(\.description).joined(separator: "\n"))\n\(errors) error\(errors == 1 ? "" : "s") in the pipeline file"
        case .noInbox(let pipeline):
            return "\(pipeline) names no inbox; add \"inbox\": \"<folder>\" to it or pass --inbox DIR"
        case .inboxNotFound(let inbox):
            return "the inbox \(inbox) is not a folder; check the pipeline's \"inbox\" or pass --inbox DIR"
        case .store(let error):
            return error.description
        case .noStateFolder(let folder):
            return
                "there is no state folder \(folder); check the folder given by --state (or by ETL_STATE when --state is not given; the default is .etl in the current folder): it must be the one the pipeline's runs use"
        case .locked(let stateFolder, let holder):
            return
                "another etl run is using the state folder \(stateFolder): \(holder); wait for it to finish (a run whose process has ended holds no lock)"
        case .unknown(let what, let hint):
            return "\(what); \(hint)"
        }
    }
}

/// Why one source of a run failed, as the message the run reports; the run goes on with the
/// other sources. (The failure is reported, not thrown.)
public enum SourceFailure: Sendable, CustomStringConvertible {
    /// None of the source's globs matched a file in the inbox.
    case noFiles(source: String, globs: [String], inbox: String, pipelineLocation: String)
    /// A file could not be imported at all; `pipelineHint` points at the pipeline setting involved.
    case file(source: String, error: ImportError, pipelineHint: String?)
    /// The state store failed while staging the source.
    case store(source: String, error: String)
    /// A matched file is a symbolic link (or lies under one) that leads outside the inbox and
    /// the pipeline's allowed folders.
    case outsideInbox(source: String, file: String, target: String, inbox: String)

    public var description: String {
        switch self {
        case .noFiles(let source, let globs, let inbox, let location):
            return
                "\(source): no file in \(inbox) matches \(globs.map { "'\($0)'" }.joined(separator: " or ")) (\(location)); check that the export arrived, or fix the glob"
        case .file(let source, let error, let hint):
            return "\(source): \(error)\(hint.map { " (\($0))" } ?? "")"
        case .store(let source, let error):
            return "\(source): the state store failed: \(error)"
        case .outsideInbox(let source, let file, let target, let inbox):
            return
                "\(source): \(file) leads outside the inbox \(inbox) (to \(target)) through a symbolic link; etl reads only files inside the inbox. Copy the export into the inbox, or name its folder in the pipeline's 'allowedFolders'"
        }
    }
}
