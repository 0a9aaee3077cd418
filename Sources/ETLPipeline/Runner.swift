import ETLCore
import ETLImport
import ETLPublish
import ETLStore

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a pipeline: imports each source's export into the staging store, then resolves the
/// current records of all sources into residents.
///
/// A source's new records become current only when all its files imported; a source that
/// fails keeps its earlier records, and the other sources go on. Resolution saves its
/// residents and links in one transaction.
public struct Runner {
    public var pipeline: Pipeline
    /// The inbox, overriding the pipeline's.
    public var inbox: String?
    public var stateFolder: String
    /// Called every few thousand records during an import.
    public var progress: ((ProgressUpdate) -> Void)?
    /// Sources whose export may be smaller than the shrink guard allows, for this run.
    public var acceptShrink: Set<String> = []
    /// Overrides the pipeline's publish folder (`--publish-dir`).
    public var publishFolder: String?
    /// The date published ages are computed on (yyyymmdd); today by default.
    public var snapshotDate: Int32?
    /// Called between staging a snapshot version and making it current (tests stand a crash there).
    public var beforeFlip: ((String) throws(PublishError) -> Void)?
    /// Whether the run has been asked to stop, and by what (checked between batches and
    /// steps): by default a SIGINT or SIGTERM that `StopRequest.install()` caught.
    public var stopRequested: @Sendable () -> String? = { StopRequest.signalName }
    /// Told what the run does as it goes (for logs).
    public var events: ((RunEvent) -> Void)?

    public init(
        pipeline: Pipeline, inbox: String? = nil, stateFolder: String, acceptShrink: Set<String> = [],
        progress: ((ProgressUpdate) -> Void)? = nil
    ) {
        self.pipeline = pipeline
        self.inbox = inbox
        self.stateFolder = stateFolder
        self.acceptShrink = acceptShrink
        self.progress = progress
    }

    /// Runs the pipeline once and reports what it did.
    public func run() throws(PipelineError) -> RunReport {
        let started = Timestamp.monotonicSeconds()
        guard let inbox = inbox ?? pipeline.inbox else { throw .noInbox(pipeline: pipeline.path) }
        guard FilePaths.isDirectory(inbox) else { throw .inboxNotFound(inbox) }
        let store: StateStore
        do {
            store = try StateStore(folder: stateFolder)
        } catch {
            throw .store(error)
        }
        // One run per state folder; the lock is held until this function returns.
        let lock = try RunLock(stateFolder: stateFolder)
        defer { withExtendedLifetime(lock) {} }
        var begun: (store: StateStore, runID: Int64)?
        do {
            let interrupted = try store.markInterruptedRuns()
            let runID = try store.beginRun(
                pipeline: pipeline.name, pipelineSHA256: pipeline.sha256, inputSHA256: pipeline.inputSHA256)
            begun = (store, runID)
            events?(.started(run: runID, lockTakenOverFrom: lock.takenOverFrom))
            // Rows an earlier, killed run staged but never made current are dropped first.
            _ = try store.removeAbandonedStaging(pipeline: pipeline.name)
            var reports: [SourceReport] = []
            var stoppedBy: String?
            for source in pipeline.sources {
                if let name = stopRequested() {
                    stoppedBy = name
                    break
                }
                let sourceID = try store.sourceID(pipeline: pipeline.name, name: source.name)
                let report = importSource(source, sourceID: sourceID, runID: runID, inbox: inbox, store: store)
                try store.recordSource(
                    run: runID, source: sourceID, status: report.status, files: report.files.count,
                    counts: report.counts, deleted: report.deleted, kept: report.keptForRejects,
                    heldBack: report.deletionsHeldBack, message: report.failure)
                reports.append(report)
                events?(.imported(report))
            }
            // A source taken out of the pipeline (or renamed) must not stay current for the
            // stages that read staged records.
            var stages = [RunReport.Stage(name: "import", seconds: Timestamp.monotonicSeconds() - started)]
            let retired = try store.retireSources(pipeline: pipeline.name, keeping: pipeline.sources.map(\.name))
            let failed = reports.filter { $0.status == .failed }.count
            var status: RunStatus = failed == 0 ? .succeeded : (failed == reports.count ? .failed : .partial)
            var message = failed == 0 ? nil : "\(failed) of \(reports.count) sources failed"
            // Resolve every source's current records, including the earlier ones of a source
            // that failed tonight. A failure here keeps the last run's residents and links.
            var resolution: ResolveReport?
            var unchangedSince: Int64?
            let last = try store.lastResolution(pipeline: pipeline.name)
            if let stoppedBy = stoppedBy ?? stopRequested() {
                // Stopped on request: what was committed stays (whole sources), the source
                // being imported keeps its earlier records, and residents are not resolved.
                status = .interrupted
                message =
                    "stopped by \(stoppedBy): sources imported before it are current, the one being imported keeps its earlier records, and residents were not resolved"
            } else if let last, last.inputSHA256 == pipeline.inputSHA256, !last.decidedSince,
                last.sameInputs ? true : !(try store.recordsChangedSinceResolution(pipeline: pipeline.name))
            {
                // The current records are the ones the last resolution read (no source changed
                // since, here or in a run that ended before resolving), or hold the same values
                // (an export sent again with its records as they were); the pipeline file is
                // the same, and no decision waits: resolving again would give the same residents.
                unchangedSince = last.run
            }
            do {
                if pipeline.resolves, unchangedSince == nil, status != .interrupted {
                    resolution = try ResolveStep(
                        pipeline: pipeline, store: store, lastInputSHA256: last?.inputSHA256,
                        stopRequested: stopRequested
                    ).run(runID: runID)
                }
            } catch let stop as RunStopped {
                status = .interrupted
                message =
                    "stopped by \(stop.signal) while resolving: the imported sources are current, and the residents and links of the last run are kept"
            } catch {
                status = .failed
                message = "resolving residents failed: \(error); the residents and links of the last run are kept"
            }
            if let resolution {
                events?(.resolved(resolution))
            } else if let unchangedSince {
                events?(.resolutionUnchanged(since: unchangedSince))
            } else if let message, pipeline.resolves || status == .interrupted {
                events?(.resolutionFailed(message))
            }
            stages.append(
                RunReport.Stage(name: "resolve", seconds: Timestamp.monotonicSeconds() - started - stages[0].seconds))
            // Publish from the residents now current: resolved tonight, or unchanged since an
            // earlier run. A dataset that fails keeps its previous snapshot current.
            var publication: PublishReport?
            // A failed run (every source failed) publishes nothing: the snapshots stay as they were.
            if let settings = pipeline.publish, status == .succeeded || status == .partial,
                resolution != nil || unchangedSince != nil
            {
                do {
                    var step = PublishStep(
                        pipeline: pipeline, settings: settings, store: store, stateFolder: stateFolder,
                        folder: publishFolder, snapshotDate: snapshotDate, stopRequested: stopRequested)
                    step.beforeFlip = beforeFlip
                    let report = try step.run(runID: runID)
                    publication = report
                    events?(.published(report))
                    try store.recordDatasets(
                        run: runID,
                        report.datasets.map {
                            DatasetRunSummary(
                                name: $0.name, status: $0.status.rawValue, version: $0.version, rows: $0.rows,
                                suppressed: $0.suppressed, message: $0.failure)
                        })
                    let failed = report.datasets.filter { $0.status == .failed }.count
                    if let signal = report.datasets.lazy.compactMap(\.stoppedBy).first {
                        // A stop is an interruption, not a partial run, whatever was published
                        // before it.
                        status = .interrupted
                        message =
                            (message.map { $0 + "; " } ?? "")
                            + Runner.stoppedWhilePublishing(by: signal, datasets: report.datasets)
                    } else if failed > 0 {
                        status = status == .succeeded ? .partial : status
                        message =
                            (message.map { $0 + "; " } ?? "")
                            + "\(failed) of \(report.datasets.count) datasets were not published"
                    }
                } catch {
                    status = status == .succeeded ? .partial : status
                    let failure = "publishing failed: \(error); every dataset's previous snapshot stays current"
                    message = (message.map { $0 + "; " } ?? "") + failure
                    events?(.publishFailed(failure))
                }
            }
            stages.append(
                RunReport.Stage(
                    name: "publish",
                    seconds: Timestamp.monotonicSeconds() - started - stages[0].seconds - stages[1].seconds))
            try store.finishRun(runID, status: status, message: message)
            var report = RunReport(
                runID: runID, pipeline: pipeline.name, status: status, inbox: inbox, stateFolder: stateFolder,
                sources: reports, rejects: try store.rejects(run: runID, limitPerSource: 10),
                retiredSources: retired, interruptedRuns: interrupted, lockTakenOverFrom: lock.takenOverFrom,
                resolution: resolution, resolutionUnchangedSince: unchangedSince, publication: publication,
                failure: resolution == nil && unchangedSince == nil && (pipeline.resolves || status == .interrupted)
                    ? message : nil,
                seconds: Timestamp.monotonicSeconds() - started)
            report.stages = stages
            // The run's HTML page in the state folder; a run does not fail for want of it.
            report.htmlReport = try? RunReportPage.write(
                report, rejectCategories: try store.rejectCategories(run: runID), stateFolder: stateFolder)
            return report
        } catch {
            // Record the run as failed rather than leave it shown as running; the error that
            // stopped it is the one reported, whatever happens to this last write.
            if let (store, runID) = begun {
                do {
                    try store.finishRun(runID, status: .failed, message: error.description)
                } catch {}
            }
            throw .store(error)
        }
    }

    private func importSource(
        _ source: PipelineSource, sourceID: Int64, runID: Int64, inbox: String, store: StateStore
    ) -> SourceReport {
        var report = SourceReport(name: source.name, status: .running, files: [], counts: RecordCounts())
        var files: [(match: FilePaths.Match, format: SourceFormat)] = []
        for pattern in source.files {
            for match in FilePaths.match(pattern.glob, in: inbox) where !files.contains(where: { $0.match == match }) {
                files.append((match, pattern.format))
            }
        }
        // A glob cannot name a place outside the inbox, but a symbolic link in the inbox can
        // lead there: such a file fails the source unless the pipeline allows its folder.
        let roots = ([inbox] + pipeline.allowedFolders).compactMap(FilePaths.realPath)
        for file in files {
            let path = FilePaths.join(inbox, file.match.name)
            guard let real = FilePaths.realPath(path), !roots.contains(where: { FilePaths.isInside(real, $0) }) else {
                continue
            }
            report.status = .failed
            report.failure =
                SourceFailure.outsideInbox(source: source.name, file: file.match.name, target: real, inbox: inbox)
                .description + "; the earlier records are kept"
            return report
        }
        if source.export == .newestFile, let newest = files.min(by: { $0.match.isNewer(than: $1.match) }) {
            report.olderFiles = files.map(\.match.name).filter { $0 != newest.match.name }
            files = [newest]
        }
        guard !files.isEmpty else {
            report.status = .failed
            let position = source.files.first?.position
            report.failure =
                SourceFailure.noFiles(
                    source: source.name, globs: source.files.map(\.glob), inbox: inbox,
                    pipelineLocation: position.map { "\(pipeline.path):\($0.line):\($0.column)" } ?? source.location
                ).description
            return report
        }
        do {
            // Each file is read once here for its size and SHA-256. An export that is the one
            // already current, read through the same pipeline file, is not imported again.
            var prints: [(state: FileState, fingerprint: FileFingerprint)] = []
            for file in files {
                let path = FilePaths.join(inbox, file.match.name)
                let state = try FileState(path: path, name: file.match.name)
                prints.append(
                    (
                        state,
                        try FileFingerprint.compute(
                            path: path, displayName: file.match.name,
                            checkUTF8: file.format == .csv && source.spec.encoding == .auto)
                    ))
            }
            let identities = zip(files, prints).map {
                StateStore.FileIdentity(path: $0.match.name, size: $1.fingerprint.size, sha256: $1.fingerprint.sha256)
            }
            if let current = try store.currentExport(source: sourceID), current.inputSHA256 == pipeline.inputSHA256,
                Set(current.files) == Set(identities)
            {
                report.status = .unchanged
                return report
            }
            for (file, measured) in zip(files, prints) {
                let fileReport = try importFile(
                    file.match.name, format: file.format, state: measured.state, fingerprint: measured.fingerprint,
                    source: source, sourceID: sourceID, runID: runID, inbox: inbox, store: store)
                report.files.append(fileReport)
                report.counts += fileReport.counts
            }
            // An export where nothing could be staged is far more likely a broken export than
            // an empty register: keep the earlier records rather than replace them with nothing.
            guard report.counts.staged > 0 else {
                try store.discardSource(run: runID, source: sourceID)
                report.status = .failed
                report.failure =
                    "\(source.name): no record of the export could be staged (read \(report.counts.read), rejected \(report.counts.rejected)); the earlier records are kept. Fix the export or the pipeline's mapping and run again"
                return report
            }
            if let failure = guardFailure(source, counts: report.counts, store: store) {
                try store.discardSource(run: runID, source: sourceID)
                report.status = .failed
                report.failure = failure
                return report
            }
            let commit = try store.commitSource(run: runID, source: sourceID)
            report.deleted = commit.deleted
            report.keptForRejects = commit.keptForRejects
            report.deletionsHeldBack = commit.deletionsHeldBack
            report.rejectsWithoutKey = commit.rejectsWithoutKey
            report.status = .succeeded
        } catch {
            report.status = .failed
            report.failure = describe(error, source: source) + "; the earlier records are kept"
            do {
                try store.discardSource(run: runID, source: sourceID)
            } catch {
                // The rows stay invisible (their run is not the source's current one), but say so.
                report.failure! += "; cleaning up this run's rows also failed: \(error)"
            }
        }
        return report
    }

    private func importFile(
        _ name: String, format: SourceFormat, state before: FileState, fingerprint: FileFingerprint,
        source: PipelineSource, sourceID: Int64, runID: Int64, inbox: String, store: StateStore
    ) throws -> FileReport {
        let path = FilePaths.join(inbox, name)
        let encoding = try source.spec.encoding.resolved(for: fingerprint, format: format, file: name)
        let info = SourceFileInfo(
            path: name, size: fingerprint.size, sha256: fingerprint.sha256, encoding: encoding.rawValue,
            payloadFields: source.spec.payload)
        let started = Timestamp.monotonicSeconds()
        let counts = try store.importFile(run: runID, source: sourceID, file: info) { stager in
            let pipe = ImportPipe(
                stream: try RecordStream(
                    path: path, displayName: name, format: format, spec: source.spec, encoding: encoding))
            defer { pipe.close() }
            while let batch = try pipe.next() {
                if let signal = stopRequested() { throw RunStopped(signal: signal) }
                try stager.stage(batch)
                progress?(
                    ProgressUpdate(
                        source: source.name, file: name, bytesRead: batch.bytesRead, totalBytes: fingerprint.size,
                        records: stager.counts.read, seconds: Timestamp.monotonicSeconds() - started))
            }
        }
        // A file still being written would be imported half: refuse it if it changed meanwhile.
        if try FileState(path: path, name: name) != before {
            throw ImportError.cannotRead(
                file: name, reason: "it changed while it was imported; it may still be arriving, so try again later")
        }
        return FileReport(name: name, encoding: encoding.rawValue, bytes: fingerprint.size, counts: counts)
    }

    /// Why the new export must not replace the source's records, or `nil` when it may: too
    /// many rejects, or far fewer records than the source has now (the shrink guard).
    private func guardFailure(_ source: PipelineSource, counts: RecordCounts, store: StateStore) -> String? {
        let guards = source.guards
        if counts.read > 0, Double(counts.rejected) > Double(counts.read) * guards.maxRejectedShare {
            let share = Double(counts.rejected) / Double(counts.read)
            let place = guards.maxRejectedShareLocation.map { " (set at \($0))" } ?? " (the default)"
            return
                "\(source.name): \(counts.rejected) of \(counts.read) records were rejected (\(Runner.percent(share))), more than limits.maxRejectedShare allows: \(Runner.percent(guards.maxRejectedShare))\(place); the earlier records are kept. List them all with 'etl rejects \(pipeline.path)', then fix the export or the mapping, or raise the limit"
        }
        guard !acceptShrink.contains(source.name),
            let previous = try? store.stagedCount(pipeline: pipeline.name, source: source.name), previous > 0,
            Double(counts.staged) < Double(previous) * guards.minShareOfPrevious
        else { return nil }
        return
            "\(source.name): the export has \(counts.staged) records, fewer than \(Runner.percent(guards.minShareOfPrevious)) of the \(previous) staged now (limits.minShareOfPrevious); the earlier records are kept. If the register really shrank, run again with --accept-shrink \(source.name)"
    }

    /// What a stop while publishing left: the datasets published before it, those that failed
    /// before it (with why), and those that keep their previous snapshot.
    static func stoppedWhilePublishing(by signal: String, datasets: [DatasetReport]) -> String {
        let done = datasets.filter { $0.stoppedBy == nil && $0.status != .failed }
        let failed = datasets.filter { $0.stoppedBy == nil && $0.status == .failed }
        let stopped = datasets.filter { $0.stoppedBy != nil }
        let names = { (datasets: [DatasetReport]) in datasets.map { "'\($0.name)'" }.joined(separator: ", ") }
        var parts: [String] = []
        if !done.isEmpty { parts.append("\(names(done)) \(done.count == 1 ? "is" : "are") current") }
        if !failed.isEmpty {
            parts.append(
                "\(names(failed)) failed before it (\(failed.compactMap(\.failure).joined(separator: "; ")))")
        }
        parts.append("\(names(stopped)) \(stopped.count == 1 ? "keeps its" : "keep their") previous snapshot")
        return "stopped by \(signal) while publishing: " + parts.joined(separator: "; ")
    }

    /// 0.0125 → "1.25%".
    static func percent(_ share: Double) -> String {
        let hundredths = Int((share * 10_000).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100)" + (fraction == 0 ? "" : "." + (fraction < 10 ? "0" : "") + String(fraction)) + "%"
    }

    /// A message for a failed source that says what to fix and where.
    private func describe(_ error: any Error, source: PipelineSource) -> String {
        switch error {
        case let error as ImportError:
            var hint: String?
            if case .missingColumn(_, let column, _, let others) = error {
                let locations = ([column] + others.map(\.column)).compactMap { name in
                    source.columnLocations[name].map { "'\(name)' at \($0)" }
                }
                if others.isEmpty, let location = source.columnLocations[column] {
                    hint = "the pipeline maps a field from it at \(location)"
                } else if !locations.isEmpty {
                    hint = "the pipeline maps fields from them: " + locations.joined(separator: ", ")
                }
            }
            return SourceFailure.file(source: source.name, error: error, pipelineHint: hint).description
        case let error as StoreError:
            return SourceFailure.store(source: source.name, error: error.description).description
        case let error as RunStopped:
            return "\(source.name): stopped by \(error.signal) while importing"
        default:
            return "\(source.name): \(error)"
        }
    }
}

/// A file's size and modification time, to notice a file that changes while it is read.
struct FileState: Equatable {
    var size: Int
    var seconds: Int
    var nanoseconds: Int

    init(path: String, name: String) throws(ImportError) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw .cannotRead(file: name, reason: String(cString: strerror(errno)))
        }
        size = Int(info.st_size)
        seconds = Int(info.st_mtim.tv_sec)
        nanoseconds = Int(info.st_mtim.tv_nsec)
    }
}
