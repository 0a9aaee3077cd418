import ETLCore
import TestSupport
import Testing

@testable import ETLImport

/// Shared helpers for the importer tests: reading a whole file into items, and picking
/// records and rejects out of them.
enum Read {
    /// Every item of `path`, in file order.
    static func items(
        _ path: String, format: SourceFormat, spec: SourceSpec, encoding: ResolvedEncoding = .utf8,
        name: String = "test"
    ) throws(ImportError) -> [ImportItem] {
        let stream = try RecordStream(path: path, displayName: name, format: format, spec: spec, encoding: encoding)
        var items: [ImportItem] = []
        while let item = try stream.next() { items.append(item) }
        return items
    }

    /// Every item of `path` through the batch API, as (records, rejects).
    static func batch(
        _ path: String, format: SourceFormat, spec: SourceSpec, encoding: ResolvedEncoding = .utf8,
        name: String = "test", maxItems: Int = 1000
    ) throws(ImportError) -> (records: [SourceRecord], rejects: [Reject]) {
        let stream = try RecordStream(path: path, displayName: name, format: format, spec: spec, encoding: encoding)
        var records: [SourceRecord] = []
        var rejects: [Reject] = []
        while true {
            var batch = RowBatch(file: name)
            guard try stream.read(into: &batch, maxItems: maxItems) else { break }
            for row in 0..<batch.count { records.append(batch.record(row: row, payloadFields: spec.payload)) }
            rejects += batch.rejects
        }
        return (records, rejects)
    }

    /// The `ImportError` that opening or reading `path` throws, or `nil` when it reads fine.
    static func error(
        _ path: String, format: SourceFormat, spec: SourceSpec, encoding: ResolvedEncoding = .utf8
    ) -> ImportError? {
        do {
            _ = try items(path, format: format, spec: spec, encoding: encoding)
            return nil
        } catch {
            return error
        }
    }
}

extension ImportItem {
    var record: SourceRecord? {
        if case .record(let record) = self { return record }
        return nil
    }

    var reject: Reject? {
        if case .reject(let reject) = self { return reject }
        return nil
    }
}

extension Array where Element == ImportItem {
    var records: [SourceRecord] { compactMap(\.record) }
    var rejects: [Reject] { compactMap(\.reject) }
}

extension SourceRecord {
    /// A payload value by name (`nil` when absent or unknown).
    func payload(_ name: String) -> String? {
        payload.first { $0.name == name }?.value ?? nil
    }
}

/// Simple specs for synthetic files, with canonical fields named after themselves.
enum Specs {
    /// A spec with key `id`, `name` and `phone` mapped one to one.
    static func simple(
        key: String = "id", name: String = "name", phone: String? = "phone", csv: CSVOptions = CSVOptions(),
        xmlRecordElement: String = "record", jsonRecordsPath: [String] = ["records"], payload: [String] = [],
        maxRecordBytes: Int = 16 << 20
    ) -> SourceSpec {
        var fields: [CanonicalField: FieldMapping] = [.name: FieldMapping(sources: [name])]
        if let phone { fields[.phone] = FieldMapping(sources: [phone]) }
        return SourceSpec(
            name: "test", csv: csv, xmlRecordElement: xmlRecordElement, jsonRecordsPath: jsonRecordsPath, key: key,
            fields: fields, payload: payload, maxRecordBytes: maxRecordBytes)
    }
}

/// Builds files whose interesting part straddles the readers' 1 MiB chunk boundary.
enum Straddle {
    /// The size of the chunks `RecordStream` reads (`InputBuffer`'s default).
    static let chunk = 1 << 20

    /// `prefix`, then filler CSV rows (`F<n>,aaaa…,0` + `lineEnd`), then `target`, sized so
    /// that the byte at `target[split]` is the first byte of the second chunk. Returns the
    /// bytes and the number of filler rows.
    static func csv(
        prefix: [UInt8], target: [UInt8], split: Int, lineEnd: String = "\r\n", columns: Int = 3
    ) -> (bytes: [UInt8], fillers: Int) {
        let targetStart = chunk - split
        var bytes = prefix
        bytes.reserveCapacity(chunk + target.count)
        var fillers = 0
        let rowLength = 4000
        while targetStart - bytes.count >= 2 * rowLength {
            bytes += row(fillers, length: rowLength, lineEnd: lineEnd, columns: columns)
            fillers += 1
        }
        bytes += row(fillers, length: targetStart - bytes.count, lineEnd: lineEnd, columns: columns)
        fillers += 1
        precondition(bytes.count == targetStart)
        bytes += target
        return (bytes, fillers)
    }

    /// One filler row of exactly `length` bytes with `columns` fields.
    static func row(_ index: Int, length: Int, lineEnd: String, columns: Int = 3) -> [UInt8] {
        let head = Array("F\(index),".utf8)
        let tail = Array((String(repeating: ",0", count: columns - 2) + lineEnd).utf8)
        let fill = length - head.count - tail.count
        precondition(fill > 0, "filler row too short")
        return head + [UInt8](repeating: UInt8(ascii: "a"), count: fill) + tail
    }
}

/// Reads a file through `RecordStream` with a tiny chunk size, so that every byte position
/// of a small file falls on a chunk boundary for some size.
enum SmallChunks {
    static func items(
        _ path: String, format: SourceFormat, spec: SourceSpec, encoding: ResolvedEncoding = .utf8, chunkSize: Int
    ) throws(ImportError) -> [ImportItem] {
        let stream = try RecordStream(
            path: path, displayName: "test", format: format, spec: spec, encoding: encoding, chunkSize: chunkSize)
        var items: [ImportItem] = []
        while let item = try stream.next() { items.append(item) }
        return items
    }
}
