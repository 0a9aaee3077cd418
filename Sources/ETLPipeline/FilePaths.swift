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

    /// A file that a glob matched, relative to the inbox, with its modification time.
    struct Match: Equatable {
        var name: String
        var modified: timespec

        static func == (lhs: Match, rhs: Match) -> Bool {
            lhs.name == rhs.name && lhs.modified.tv_sec == rhs.modified.tv_sec
                && lhs.modified.tv_nsec == rhs.modified.tv_nsec
        }

        /// Newer first: by modification time, then by name.
        func isNewer(than other: Match) -> Bool {
            if modified.tv_sec != other.modified.tv_sec { return modified.tv_sec > other.modified.tv_sec }
            if modified.tv_nsec != other.modified.tv_nsec { return modified.tv_nsec > other.modified.tv_nsec }
            return name > other.name
        }
    }

    /// `name` inside `folder`.
    static func join(_ folder: String, _ name: String) -> String {
        folder.hasSuffix("/") ? folder + name : folder + "/" + name
    }

    /// The regular files under `inbox` that `glob` matches, sorted by name, relative to the
    /// inbox. The inbox's own path is escaped, so `[`, `*` and `?` in it match themselves.
    static func match(_ glob: String, in inbox: String) -> [Match] {
        var escaped = ""
        for character in inbox {
            if "*?[\\".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        var result = glob_t()
        defer { globfree(&result) }
        guard Glibc.glob(join(escaped, glob), 0, nil, &result) == 0 else { return [] }
        let prefix = join(inbox, "")
        var files: [Match] = []
        for index in 0..<Int(result.gl_pathc) {
            guard let pointer = result.gl_pathv[index] else { continue }
            let path = String(cString: pointer)
            var info = stat()
            guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
            let name = path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
            files.append(Match(name: name, modified: info.st_mtim))
        }
        return files.sorted { $0.name < $1.name }
    }

    /// `path` with every symbolic link, `.` and `..` resolved, or `nil` when it does not exist.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Whether `path` is `folder` or lies inside it (both real paths).
    static func isInside(_ path: String, _ folder: String) -> Bool {
        path == folder || path.hasPrefix(folder == "/" ? "/" : folder + "/")
    }

    /// Whether `path` is an existing regular file.
    static func isFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
    }

    /// Whether `path` is an existing folder.
    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }
}
