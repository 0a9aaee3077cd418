import ETLCore
import ETLStore
import Foundation

/// Writes one snapshot version of a dataset: data files in every format, the change file, the
/// row index, `deid-report.json` and `datapackage.json`, all in a staging folder that is
/// synced and renamed into place; then `CURRENT` is replaced to name it.
struct SnapshotWriter {
    let dataset: Dataset
    let context: PublishContext
    let keyID: String?
    let keyVersion: Int
    let retain: Int
    let beforeFlip: ((String) throws(PublishError) -> Void)?

    /// The files of a version besides the data files.
    static let packageFile = "datapackage.json"
    static let reportFile = "deid-report.json"
    static let changesFile = "changes.csv"
    static let rowIndexFile = "row-index.tsv"

    struct Outcome {
        var version: String
        var unchanged: Bool
        var added = 0
        var changed = 0
        var removed = 0
    }

    private var fileMode: mode_t { dataset.identified ? 0o600 : 0o644 }
    private var folderMode: mode_t { dataset.identified ? 0o700 : 0o755 }

    func write(_ built: DatasetBuilder.Built) throws(PublishError) -> Outcome {
        let catalog = SnapshotCatalog(folder: context.folder, dataset: dataset.name)
        try FileSystem.makeDirectories(catalog.datasetFolder)
        catalog.removeUnfinished()
        let previous = catalog.current
        let version = SnapshotCatalog.name(of: (catalog.versionNumbers().max() ?? 0) + 1)
        let staging = catalog.datasetFolder + "/.staging-" + version
        FileSystem.removeTree(staging)
        guard mkdir(staging, folderMode) == 0 else {
            throw .cannotWrite(path: staging, reason: FileSystem.lastError())
        }
        chmod(staging, folderMode)
        // Nothing changed since the current version: keep it, write nothing.
        let header =
            dataset.formats.map(\.rawValue).joined(separator: ",") + "\n"
            + zip(dataset.columns, built.rows.integerColumns).map { "\($0.name):\($1)" }.joined(separator: ",") + "\n"
        let digest = built.rows.contentDigest(header: header)
        if let previous, let package = catalog.package(previous), package.etl.contentSha256 == digest,
            (try? catalog.verifyCurrent()) != nil
        {
            FileSystem.removeTree(staging)
            return Outcome(version: previous, unchanged: true)
        }
        do throws(PublishError) {
            let resources = try writeData(built.rows, in: staging)
            var outcome = Outcome(version: version, unchanged: false)
            let changes = try writeChanges(
                built.rows, in: staging, previous: previous.map { catalog.versionFolder($0) }, outcome: &outcome)
            let rowIndex = try writeRowIndex(built.rows, in: staging)
            let report = try writeReport(built, version: version, in: staging)
            let package = DataPackage(
                name: dataset.name, version: version, created: Timestamp.now(), title: dataset.purpose,
                resources: resources,
                etl: DataPackage.Provenance(
                    runId: context.runID, pipeline: context.pipeline, pipelineSha256: context.pipelineSHA256,
                    toolVersion: ETLVersion.current, recipient: dataset.recipient, purpose: dataset.purpose,
                    identified: dataset.identified, snapshotDate: SnapshotWriter.iso(context.snapshotDate),
                    previousVersion: previous, contentSha256: digest, keyId: keyID,
                    keyVersion: keyID == nil ? nil : keyVersion,
                    sources: context.exports, changes: changes, rowIndex: rowIndex, deidReport: report))
            _ = try writeJSON(package, to: staging + "/" + SnapshotWriter.packageFile)
            try FileSystem.syncDirectory(staging)
            let target = catalog.versionFolder(version)
            try FileSystem.rename(staging, target)
            try FileSystem.syncDirectory(catalog.datasetFolder)
            try beforeFlip?(target)
            try FileSystem.replace(catalog.currentFile, with: version + "\n")
            catalog.applyRetention(keep: retain)
            return outcome
        } catch {
            FileSystem.removeTree(staging)
            throw error
        }
    }

    // MARK: - Data files

    private func writeData(_ rows: RowSet, in folder: String) throws(PublishError) -> [DataPackage.Resource] {
        let schema = DataPackage.TableSchema(
            fields: zip(dataset.columns, rows.integerColumns).map { column, isInteger in
                DataPackage.Field(
                    name: column.name, type: isInteger ? "integer" : "string",
                    description: "\(column.source), \(column.transform)")
            },
            primaryKey: dataset.key.map { [$0] })
        var resources: [DataPackage.Resource] = []
        for format in dataset.formats {
            let path = folder + "/" + format.fileName
            let written: (bytes: Int, sha256: String)
            switch format {
            case .csv: written = try writeCSV(rows, to: path)
            case .jsonl: written = try writeJSONLines(rows, to: path)
            case .sqlite: written = try writeSQLite(rows, to: path)
            }
            resources.append(
                DataPackage.Resource(
                    name: dataset.name + "-" + format.rawValue, path: format.fileName, format: format.rawValue,
                    mediatype: format.mediaType, encoding: format == .sqlite ? nil : "utf-8", bytes: written.bytes,
                    hash: "sha256:" + written.sha256, rows: rows.count, schema: schema))
        }
        return resources
    }

    /// RFC 4180: CRLF line ends; a field with a comma, quote, CR or LF is quoted, its quotes
    /// doubled. A missing value is an empty field.
    private func writeCSV(_ rows: RowSet, to path: String) throws(PublishError) -> (bytes: Int, sha256: String) {
        let file = try OutputFile(path: path, mode: fileMode)
        var line: [UInt8] = []
        func appendField(_ bytes: UnsafeBufferPointer<UInt8>) {
            let needsQuotes = bytes.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0D || $0 == 0x0A }
            guard needsQuotes else {
                line.append(contentsOf: bytes)
                return
            }
            line.append(0x22)
            for byte in bytes {
                if byte == 0x22 { line.append(0x22) }
                line.append(byte)
            }
            line.append(0x22)
        }
        for (index, column) in dataset.columns.enumerated() {
            if index > 0 { line.append(0x2C) }
            Array(column.name.utf8).withUnsafeBufferPointer { appendField($0) }
        }
        line += [0x0D, 0x0A]
        try file.write(line)
        try rows.bytes.withUnsafeBufferPointer { buffer throws(PublishError) in
            for row in rows.order {
                line.removeAll(keepingCapacity: true)
                for column in dataset.columns.indices {
                    if column > 0 { line.append(0x2C) }
                    appendField(UnsafeBufferPointer(rebasing: buffer[rows.range(row: row, column: column)]))
                }
                line += [0x0D, 0x0A]
                try file.write(line)
            }
        }
        return try file.close()
    }

    /// One JSON object per line, members in column order; whole numbers as numbers, a missing
    /// value as null.
    private func writeJSONLines(_ rows: RowSet, to path: String) throws(PublishError) -> (bytes: Int, sha256: String) {
        let file = try OutputFile(path: path, mode: fileMode)
        let names: [[UInt8]] = dataset.columns.map { column in
            var bytes: [UInt8] = []
            JSONWriter.appendString(column.name, to: &bytes)
            return bytes + [0x3A]
        }
        var line: [UInt8] = []
        try rows.bytes.withUnsafeBufferPointer { buffer throws(PublishError) in
            for row in rows.order {
                line.removeAll(keepingCapacity: true)
                line.append(0x7B)
                for column in dataset.columns.indices {
                    if column > 0 { line.append(0x2C) }
                    line += names[column]
                    let cell = UnsafeBufferPointer(rebasing: buffer[rows.range(row: row, column: column)])
                    if rows.isNull(row: row, column: column) {
                        line += Array("null".utf8)
                    } else if rows.integerColumns[column] {
                        line.append(contentsOf: cell)
                    } else {
                        JSONWriter.appendString(bytes: cell, to: &line)
                    }
                }
                line += [0x7D, 0x0A]
                try file.write(line)
            }
        }
        return try file.close()
    }

    /// One table named after the dataset; rows in the same order as the other formats.
    private func writeSQLite(_ rows: RowSet, to path: String) throws(PublishError) -> (bytes: Int, sha256: String) {
        do {
            let table = try SQLiteTableFile(
                path: path, table: dataset.name,
                columns: zip(dataset.columns, rows.integerColumns).map { .init(name: $0.name, isInteger: $1) })
            try rows.bytes.withUnsafeBufferPointer { buffer throws(StoreError) in
                try table.add(rows: rows.count) { position, column in
                    let row = rows.order[position]
                    return rows.isNull(row: row, column: column)
                        ? nil : UnsafeBufferPointer(rebasing: buffer[rows.range(row: row, column: column)])
                }
            }
            try table.finish()
        } catch {
            throw .cannotWrite(path: path, reason: error.description)
        }
        chmod(path, fileMode)
        // Synced and hashed as written.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor >= 0 {
            fsync(descriptor)
            close(descriptor)
        }
        guard let hashed = FileSystem.hash(path) else {
            throw .cannotWrite(path: path, reason: FileSystem.lastError())
        }
        return hashed
    }

    // MARK: - Changes and row index

    /// `changes.csv`: `change,key` rows (added, changed, removed) by key, against the
    /// previous version's row index. A dataset without a key lists nothing: load it whole.
    private func writeChanges(
        _ rows: RowSet, in folder: String, previous: String?, outcome: inout Outcome
    ) throws(PublishError) -> DataPackage.Changes {
        let path = folder + "/" + SnapshotWriter.changesFile
        let file = try OutputFile(path: path, mode: fileMode)
        try file.write("change,key\r\n")
        let keyColumn = dataset.key.flatMap { key in dataset.columns.firstIndex { $0.name == key } }
        if let keyColumn {
            var earlier = RowIndexReader(path: previous.map { $0 + "/" + SnapshotWriter.rowIndexFile })
            var pending = earlier.next()
            var line: [UInt8] = []
            func write(_ change: String, _ key: UnsafeBufferPointer<UInt8>) throws(PublishError) {
                line.removeAll(keepingCapacity: true)
                line.append(contentsOf: change.utf8)
                line.append(0x2C)
                line.append(contentsOf: key)
                line += [0x0D, 0x0A]
                try file.write(line)
            }
            var digest = [UInt8](repeating: 0, count: 16)
            try rows.bytes.withUnsafeBufferPointer { buffer throws(PublishError) in
                for row in rows.order {
                    let key = UnsafeBufferPointer(rebasing: buffer[rows.range(row: row, column: keyColumn)])
                    SnapshotWriter.hex(rows.digest(row: row), into: &digest)
                    while pending, SnapshotWriter.compare(earlier.key, key) < 0 {
                        try write("removed", earlier.key)
                        outcome.removed += 1
                        pending = earlier.next()
                    }
                    if pending, SnapshotWriter.compare(earlier.key, key) == 0 {
                        if !earlier.digest.elementsEqual(digest) {
                            try write("changed", key)
                            outcome.changed += 1
                        }
                        pending = earlier.next()
                    } else {
                        try write("added", key)
                        outcome.added += 1
                    }
                }
            }
            while pending {
                try write("removed", earlier.key)
                outcome.removed += 1
                pending = earlier.next()
            }
        }
        let written = try file.close()
        return DataPackage.Changes(
            path: SnapshotWriter.changesFile, hash: "sha256:" + written.sha256, key: dataset.key,
            added: outcome.added, changed: outcome.changed, removed: outcome.removed)
    }

    /// `row-index.tsv`: `key<TAB>digest` per row in key order, for the next version's changes.
    private func writeRowIndex(_ rows: RowSet, in folder: String) throws(PublishError) -> DataPackage.FileEntry? {
        guard let keyColumn = dataset.key.flatMap({ key in dataset.columns.firstIndex { $0.name == key } }) else {
            return nil
        }
        let path = folder + "/" + SnapshotWriter.rowIndexFile
        let file = try OutputFile(path: path, mode: fileMode)
        var line: [UInt8] = []
        var digest = [UInt8](repeating: 0, count: 16)
        try rows.bytes.withUnsafeBufferPointer { buffer throws(PublishError) in
            for row in rows.order {
                line.removeAll(keepingCapacity: true)
                line.append(contentsOf: buffer[rows.range(row: row, column: keyColumn)])
                line.append(0x09)
                SnapshotWriter.hex(rows.digest(row: row), into: &digest)
                line.append(contentsOf: digest)
                line.append(0x0A)
                try file.write(line)
            }
        }
        let written = try file.close()
        return DataPackage.FileEntry(path: SnapshotWriter.rowIndexFile, hash: "sha256:" + written.sha256)
    }

    // MARK: - Report

    private func writeReport(
        _ built: DatasetBuilder.Built, version: String, in folder: String
    ) throws(PublishError) -> DataPackage.FileEntry {
        let privacy = dataset.privacy
        let columns = dataset.columns.enumerated().map { index, column in
            let hierarchyLevel = built.levels[index].flatMap { level in column.source.hierarchy?.levels[level] }
            let kind =
                column.source.isDirectIdentifier
                ? "direct-identifier"
                : privacy?.quasiIdentifiers.contains(column.name) == true
                    ? "quasi-identifier" : privacy?.sensitive?.column == column.name ? "sensitive" : "insensitive"
            return DeidentificationReport.ColumnEntry(
                name: column.name, from: column.source.description, class: kind,
                transform: column.transform.description, level: hierarchyLevel)
        }
        var histogram: [String: Int] = [:]
        for size in built.classSizes { histogram[SnapshotWriter.sizeRange(size), default: 0] += 1 }
        let rows = built.rows.count
        let risk: DeidentificationReport.Risk? =
            privacy == nil || rows == 0
            ? nil
            : .init(
                highest: 1 / Double(built.kReached ?? 1), average: Double(built.classSizes.count) / Double(rows))
        let statement =
            dataset.identified
            ? "IDENTIFIED: this dataset holds direct identifiers for \(dataset.recipient) (\(dataset.purpose)). Its files are readable by their owner only; do not copy them further."
            : "This dataset is de-identified, not anonymised: direct identifiers are removed, pseudonymised or masked and the quasi-identifiers generalised, but a recipient who holds other data about these residents may still re-identify some. Keep it under the data-sharing agreement for \(dataset.purpose)."
        let report = DeidentificationReport(
            dataset: dataset.name, version: version, recipient: dataset.recipient, purpose: dataset.purpose,
            identified: dataset.identified, statement: statement, columns: columns,
            privacyModel: privacy.map {
                .init(
                    k: $0.k, suppressionLimit: $0.suppressionLimit, quasiIdentifiers: $0.quasiIdentifiers,
                    sensitive: $0.sensitive?.column, l: $0.sensitive?.l)
            },
            residentsIncluded: built.included, residentsSuppressed: built.suppressed, rowsPublished: rows,
            kReached: built.kReached, lReached: built.lReached, latticeNodesEvaluated: built.nodesEvaluated,
            equivalenceClassSizes: histogram, prosecutorRisk: risk)
        let sha256 = try writeJSON(report, to: folder + "/" + SnapshotWriter.reportFile)
        return DataPackage.FileEntry(path: SnapshotWriter.reportFile, hash: "sha256:" + sha256)
    }

    private func writeJSON<Value: Encodable>(_ value: Value, to path: String) throws(PublishError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data: Data
        do {
            data = try encoder.encode(value)
        } catch {
            throw .cannotWrite(path: path, reason: "\(error)")
        }
        let file = try OutputFile(path: path, mode: fileMode)
        try file.write(Array(data) + [0x0A])
        return try file.close().sha256
    }

    /// `1`, `2-4`, `5-9`, `10-19`, `20-49`, `50-99`, `100+`.
    static func sizeRange(_ size: Int) -> String {
        switch size {
        case ..<2: "1"
        case 2...4: "2-4"
        case 5...9: "5-9"
        case 10...19: "10-19"
        case 20...49: "20-49"
        case 50...99: "50-99"
        default: "100+"
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// `value` as 16 lower-case hex digits, into `digits` (16 bytes).
    static func hex(_ value: UInt64, into digits: inout [UInt8]) {
        for index in 0..<16 { digits[index] = hexDigits[Int(value >> UInt64(60 - 4 * index) & 0xF)] }
    }

    /// Byte order: negative, zero or positive as `a` sorts before, with or after `b`.
    static func compare(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        let common = min(a.count, b.count)
        if common > 0, let x = a.baseAddress, let y = b.baseAddress {
            let compared = memcmp(x, y, common)
            if compared != 0 { return Int(compared) }
        }
        return a.count - b.count
    }

    /// 20261127 → `2026-11-27`.
    static func iso(_ date: Int32) -> String {
        DatePattern.iso(year: Int(date / 10000), month: Int(date / 100 % 100), day: Int(date % 100))
    }
}

/// Reads a version's `row-index.tsv` line by line (`key<TAB>digest`); a missing file reads
/// as empty. `key` and `digest` are valid until the next call to `next()`.
struct RowIndexReader {
    private var file: UnsafeMutablePointer<FILE>?
    private var line: UnsafeMutablePointer<CChar>?
    private var capacity = 0
    private(set) var key = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
    private(set) var digest = UnsafeBufferPointer<UInt8>(start: nil, count: 0)

    init(path: String?) {
        file = path.flatMap { fopen($0, "rb") }
    }

    /// Reads the next line; false at the end (the file is closed then).
    mutating func next() -> Bool {
        guard let file else { return false }
        while true {
            let length = getline(&line, &capacity, file)
            guard length > 0, let line else { break }
            let bytes = UnsafeBufferPointer(
                start: UnsafeRawPointer(line).assumingMemoryBound(to: UInt8.self), count: length)
            guard let tab = bytes.firstIndex(of: 0x09) else { continue }
            var end = length
            while end > tab + 1, bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D { end -= 1 }
            key = UnsafeBufferPointer(rebasing: bytes[0..<tab])
            digest = UnsafeBufferPointer(rebasing: bytes[(tab + 1)..<end])
            return true
        }
        fclose(file)
        self.file = nil
        free(line)
        line = nil
        return false
    }
}
