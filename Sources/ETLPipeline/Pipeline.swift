import ETLCore
import ETLImport
import ETLNormalise
import ETLPublish

/// A loaded, validated pipeline file: the sources to import and where to find them.
public struct Pipeline: Sendable {
    /// The pipeline's name (its `name`, or the file name without `.json`).
    public var name: String
    /// The pipeline file's path as given, for messages.
    public var path: String
    /// The SHA-256 of the pipeline file, recorded with each run.
    public var sha256: String
    /// The SHA-256 of what import and resolution depend on: the file without its `publish`
    /// and `history` sections and its descriptions. A run that finds it unchanged may skip
    /// importing an unchanged export and resolving unchanged records.
    public var inputSHA256 = ""
    /// The inbox folder from the pipeline file, resolved against the file's folder.
    public var inbox: String?
    /// Folders outside the inbox that files may be read from through symbolic links, as the
    /// pipeline names them (resolved against the file's folder). Empty by default.
    public var allowedFolders: [String] = []
    public var sources: [PipelineSource]
    /// Whether a run resolves records into residents after importing (`resolve.enabled`).
    public var resolves = true
    /// How records are resolved into residents (the `resolve` section; defaults otherwise).
    public var resolve = ResolverSettings()
    /// What a run publishes after resolving (the `publish` section), if anything.
    public var publish: PublishSettings?
    /// How many of the latest runs keep their full history (rejects and all) when `etl gc`
    /// prunes (`history.keepRuns`).
    public var keepRuns = 90
}

/// One source of a pipeline: how its export is read, and where in the pipeline file each
/// setting was written (for messages that point there).
public struct PipelineSource: Sendable {
    public var spec: SourceSpec
    public var format: SourceFormat
    public var files: [FilePattern]
    /// Which of the matched files form the export the source imports.
    public var export: ExportSelection
    /// `pipelines/demo.json:12:7`, where the source is declared.
    public var location: String
    /// Where each mapped source column is named in the pipeline file.
    public var columnLocations: [String: String]
    /// When an export fails the source instead of replacing its records.
    public var guards = SourceGuards()

    public var name: String { spec.name }
}

/// A glob under the inbox, and the format of the files it matches.
public struct FilePattern: Sendable, Equatable {
    public var glob: String
    public var format: SourceFormat
    /// Where the glob is written in the pipeline file.
    public var position: TextPosition
}

/// Which files a source imports when its globs match several: an inbox that keeps past
/// nights' exports must not mix them, because each export is the whole register.
public enum ExportSelection: String, Sendable, CaseIterable {
    /// The newest file (by modification time, then by name) is the export; older ones are
    /// left alone and named in the summary.
    case newestFile = "newest-file"
    /// Every matched file together is one export, for departments that send a set of files.
    case allFiles = "all-files"
}

/// The limits past which a source's new export fails the source, which keeps its earlier
/// records: too many rejects, or far fewer records than before.
public struct SourceGuards: Sendable, Equatable {
    /// The largest share of the export's records that may be rejected (`limits.maxRejectedShare`).
    public var maxRejectedShare = 0.01
    /// Where the pipeline sets it, for the message; `nil` when it is the default.
    public var maxRejectedShareLocation: String?
    /// The shrink guard: the least share of the previous record count a new export may have
    /// (`limits.minShareOfPrevious`).
    public var minShareOfPrevious = 0.5

    public init() {}
}
