import ETLCore
import Foundation

/// The snapshot versions of one dataset in a publish folder: `<folder>/<dataset>/<version>/`
/// with `CURRENT` naming the one readers use.
public struct SnapshotCatalog: Sendable {
    public let datasetFolder: String

    public init(folder: String, dataset: String) {
        datasetFolder = folder + "/" + dataset
    }

    var currentFile: String { datasetFolder + "/CURRENT" }

    /// The version `CURRENT` names, or `nil` when there is none yet.
    public var current: String? {
        guard let bytes = FileSystem.read(currentFile) else { return nil }
        let name = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return SnapshotCatalog.number(of: name) == nil ? nil : name
    }

    func versionFolder(_ version: String) -> String { datasetFolder + "/" + version }

    /// `v000012` for 12.
    static func name(of number: Int) -> String {
        let digits = String(number)
        return "v" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    /// 12 for `v000012`; `nil` for a name that is not a version.
    static func number(of name: String) -> Int? {
        guard name.utf8.count >= 7, name.utf8.first == UInt8(ascii: "v") else { return nil }
        return Int(name.dropFirst())
    }

    /// The numbers of the version folders present.
    func versionNumbers() -> [Int] {
        FileSystem.list(datasetFolder).compactMap { name in
            FileSystem.isDirectory(versionFolder(name)) ? SnapshotCatalog.number(of: name) : nil
        }.sorted()
    }

    /// Removes what a publish that did not finish left: staging folders, and versions newer
    /// than `CURRENT` (renamed into place but never made current). Without a `CURRENT`, no
    /// version is removed: a missing `CURRENT` may be a person's doing, and retention removes
    /// a version that never became current in due course.
    func removeUnfinished() {
        let current = self.current.flatMap(SnapshotCatalog.number)
        for name in FileSystem.list(datasetFolder) {
            if name.hasPrefix(".staging-") || name.hasPrefix("CURRENT.tmp-") {
                FileSystem.removeTree(datasetFolder + "/" + name)
            } else if let current, let number = SnapshotCatalog.number(of: name), number > current {
                FileSystem.removeTree(versionFolder(name))
            }
        }
    }

    /// The versions that keeping the newest `keep` (and always the current one) removes.
    public func versionsBeyondRetention(keep: Int) -> [String] {
        let current = self.current
        return versionNumbers().dropLast(max(1, keep)).map(SnapshotCatalog.name).filter { $0 != current }
    }

    /// Keeps the newest `keep` versions, and always the current one; returns the ones removed.
    @discardableResult
    public func applyRetention(keep: Int) -> [String] {
        let removed = versionsBeyondRetention(keep: keep)
        for version in removed { FileSystem.removeTree(versionFolder(version)) }
        return removed
    }

    /// A version's `datapackage.json`, or `nil` when it cannot be read.
    public func package(_ version: String) -> DataPackage? {
        guard let bytes = FileSystem.read(versionFolder(version) + "/" + SnapshotWriter.packageFile) else {
            return nil
        }
        return try? JSONDecoder().decode(DataPackage.self, from: Data(bytes))
    }

    /// One version, as `etl snapshots` lists it.
    public struct Version: Sendable {
        public var name: String
        public var isCurrent: Bool
        public var rows: Int?
        /// The bytes of all its files.
        public var bytes: Int
        public var created: String?
    }

    /// Every version present, oldest first.
    public func versions() -> [Version] {
        let current = self.current
        return versionNumbers().map { number in
            let name = SnapshotCatalog.name(of: number)
            let folder = versionFolder(name)
            let bytes = FileSystem.list(folder).reduce(0) { total, file in
                var info = stat()
                return total + (stat(folder + "/" + file, &info) == 0 ? Int(info.st_size) : 0)
            }
            let package = package(name)
            return Version(
                name: name, isCurrent: name == current, rows: package?.resources.first?.rows, bytes: bytes,
                created: package?.created)
        }
    }

    /// Reads `CURRENT` and that version's `datapackage.json`, and checks the size and SHA-256
    /// of every file it lists, as a downstream reader would. Returns the package.
    public func verifyCurrent() throws(PublishError) -> DataPackage {
        guard let version = current else { throw .badSnapshot(path: currentFile, reason: "there is no CURRENT") }
        let folder = versionFolder(version)
        guard let package = package(version) else {
            throw .badSnapshot(path: folder, reason: "its \(SnapshotWriter.packageFile) cannot be read")
        }
        var files = package.resources.map { ($0.path, $0.hash, Optional($0.bytes)) }
        files.append((package.etl.changes.path, package.etl.changes.hash, nil))
        files.append((package.etl.deidReport.path, package.etl.deidReport.hash, nil))
        if let index = package.etl.rowIndex { files.append((index.path, index.hash, nil)) }
        for (path, hash, bytes) in files {
            guard let measured = FileSystem.hash(folder + "/" + path) else {
                throw .badSnapshot(path: folder + "/" + path, reason: "it cannot be read")
            }
            guard "sha256:" + measured.sha256 == hash, bytes.map({ $0 == measured.bytes }) ?? true else {
                throw .badSnapshot(path: folder + "/" + path, reason: "its size or SHA-256 differs from the manifest")
            }
        }
        return package
    }
}

#if canImport(Glibc)
    import Glibc
#endif
