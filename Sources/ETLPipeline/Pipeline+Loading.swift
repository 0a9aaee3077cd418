import ETLCore

#if canImport(Glibc)
    import Glibc
#endif

extension Pipeline {
    /// Finds a pipeline by name (`demo` → `pipelines/demo.json`) or by path.
    public static func locate(_ nameOrPath: String) throws(PipelineError) -> String {
        if nameOrPath.hasSuffix(".json") || nameOrPath.contains("/") {
            guard access(nameOrPath, F_OK) == 0 else { throw .notFound(name: nameOrPath, searched: [nameOrPath]) }
            return nameOrPath
        }
        let candidates = ["pipelines/\(nameOrPath).json", "\(nameOrPath).json"]
        for candidate in candidates where access(candidate, F_OK) == 0 {
            return candidate
        }
        throw .notFound(name: nameOrPath, searched: candidates)
    }

    /// Loads and validates the pipeline file at `path`. Throws `PipelineError.invalid` with
    /// every diagnostic when the file has errors; warnings are returned beside the pipeline.
    public static func load(path: String) throws(PipelineError) -> (Pipeline, [Diagnostic]) {
        let bytes = try readFile(path)
        let sha256 = SHA256.hex(of: bytes)
        return try bytes.withUnsafeBufferPointer { buffer throws(PipelineError) -> (Pipeline, [Diagnostic]) in
            // An editor's UTF-8 byte-order mark is not part of the text: positions start after it.
            let hasMark = buffer.count >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF
            let text = hasMark ? UnsafeBufferPointer(rebasing: buffer[3...]) : buffer
            var scanner = JSONScanner(bytes: text, maxDepth: 64)
            let root: JSONNode
            do throws(JSONSyntaxError) {
                root = try scanner.parseValue()
                if scanner.peek() != nil { throw scanner.error("the end of the file after the pipeline object") }
            } catch {
                let position = TextPosition.of(offset: error.offset, in: text)
                throw .invalid([Diagnostic(file: path, position: position, message: "invalid JSON: \(error.message)")])
            }
            var decoder = PipelineDecoder(file: path)
            let fileName = path.split(separator: "/").last.map(String.init) ?? path
            let defaultName = fileName.hasSuffix(".json") ? String(fileName.dropLast(5)) : fileName
            let folder = FilePaths.resolve(path, against: FilePaths.currentDirectory())
                .split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
            guard
                var pipeline = decoder.decodePipeline(
                    root, defaultName: defaultName, folder: folder.isEmpty ? "/" : folder, sha256: sha256, path: path)
            else {
                throw .invalid(decoder.sortedDiagnostics)
            }
            pipeline.inputSHA256 = SHA256.hex(of: Array(Pipeline.inputText(root, depth: 0).utf8))
            return (pipeline, decoder.sortedDiagnostics)
        }
    }

    /// The pipeline file as canonical JSON without what import and resolution ignore: the
    /// top-level `publish`, `history`, `description` and `$schema`, and every `description`.
    static func inputText(_ node: JSONNode, depth: Int) -> String {
        switch node.value {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .number(let text): return text
        case .string(let text): return JSONWriter.string(text)
        case .array(let elements):
            return "[" + elements.map { inputText($0, depth: depth + 1) }.joined(separator: ",") + "]"
        case .object(let members):
            let ignored: Set<String> = depth == 0 ? ["publish", "history", "description", "$schema"] : ["description"]
            return "{"
                + members.filter { !ignored.contains($0.key) }.map {
                    JSONWriter.string($0.key) + ":" + inputText($0.value, depth: depth + 1)
                }.joined(separator: ",") + "}"
        }
    }

    /// Checks what can only be checked against the disk: that each source's globs match
    /// files in the inbox. Returns diagnostics pointing at the globs.
    public func checkInbox(_ inbox: String) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        guard FilePaths.isDirectory(inbox) else {
            return [
                Diagnostic(
                    file: path, position: TextPosition(line: 1, column: 1, offset: 0),
                    message: "the inbox \(inbox) is not a folder; fix \"inbox\" or pass --inbox DIR")
            ]
        }
        for source in sources {
            let matched = source.files.contains { !FilePaths.match($0.glob, in: inbox).isEmpty }
            guard !matched, let first = source.files.first else { continue }
            let globs = source.files.map { "'\($0.glob)'" }.joined(separator: " or ")
            diagnostics.append(
                Diagnostic(
                    file: path, position: first.position,
                    message: "\(source.name): no file in \(inbox) matches \(globs); check the glob and the inbox"))
        }
        return diagnostics
    }

    private static func readFile(_ path: String) throws(PipelineError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .cannotRead(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let got = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if got < 0 {
                if errno == EINTR { continue }
                throw .cannotRead(path: path, reason: String(cString: strerror(errno)))
            }
            if got == 0 { break }
            bytes += chunk[0..<got]
            // A pipeline file is small; refuse anything that is clearly not one.
            if bytes.count > 4 << 20 { throw .cannotRead(path: path, reason: "it is larger than 4 MiB") }
        }
        return bytes
    }
}
