#if canImport(Glibc)
    import Glibc
#endif

/// Paths and globs: resolving relative paths, keeping globs inside the inbox, matching files.
enum FilePaths {
    /// `path` made absolute against `folder` when it is relative.
    static func resolve(_ path: String, against folder: String) -> String {
        path.hasPrefix("/") ? path : normalise(folder + "/" + path)
    }

    /// Removes `.` components and folds `x/..` pairs.
    static func normalise(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
                continue
            }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        return path.hasPrefix("/") ? "/" + joined : (joined.isEmpty ? "." : joined)
    }

    /// The current working directory.
    static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return "." }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// What is wrong with a glob from a pipeline file, or `nil`: globs stay inside the inbox.
    static func problem(inGlob glob: String) -> String? {
        if glob.hasPrefix("/") { return "is an absolute path; globs are relative to the inbox" }
        if glob.split(separator: "/").contains("..") {
            return "leaves the inbox with '..'; globs are relative to the inbox"
        }
        return nil
    }

    /// The regular files under `inbox` that `glob` matches, sorted, as paths relative to the inbox.
    static func match(_ glob: String, in inbox: String) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        let pattern = inbox.hasSuffix("/") ? inbox + glob : inbox + "/" + glob
        guard Glibc.glob(pattern, 0, nil, &result) == 0 else { return [] }
        var files: [String] = []
        for index in 0..<Int(result.gl_pathc) {
            guard let pointer = result.gl_pathv[index] else { continue }
            let path = String(cString: pointer)
            var info = stat()
            guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
            let prefix = inbox.hasSuffix("/") ? inbox : inbox + "/"
            files.append(path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path)
        }
        return files.sorted()
    }

    /// Whether `path` is an existing folder.
    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }
}
