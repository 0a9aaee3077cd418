import ETLCore
import ETLImport

/// A loaded, validated pipeline file: the sources to import and where to find them.
public struct Pipeline: Sendable {
    /// The pipeline's name (its `name`, or the file name without `.json`).
    public var name: String
    /// The pipeline file's path as given, for messages.
    public var path: String
    /// The SHA-256 of the pipeline file, recorded with each run.
    public var sha256: String
    /// The inbox folder from the pipeline file, resolved against the file's folder.
    public var inbox: String?
    public var sources: [PipelineSource]
}

/// One source of a pipeline: how its export is read, and where in the pipeline file each
/// setting was written (for messages that point there).
public struct PipelineSource: Sendable {
    public var spec: SourceSpec
    public var format: SourceFormat
    public var files: [FilePattern]
    /// `pipelines/demo.json:12:7`, where the source is declared.
    public var location: String
    /// Where each mapped source column is named in the pipeline file.
    public var columnLocations: [String: String]

    public var name: String { spec.name }
}

/// A glob under the inbox, and the format of the files it matches.
public struct FilePattern: Sendable, Equatable {
    public var glob: String
    public var format: SourceFormat
    /// Where the glob is written in the pipeline file.
    public var position: TextPosition
}
