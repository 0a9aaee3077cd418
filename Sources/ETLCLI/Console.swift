#if canImport(Glibc)
    import Glibc
#endif

/// Where the CLI writes: stdout for results, stderr for errors, logs and progress.
struct Console {
    func out(_ text: String) {
        write(text + "\n", to: 1)
    }

    func err(_ text: String) {
        write(text + "\n", to: 2)
    }

    /// Writes to stdout as it is, for output built in pieces.
    func outPartial(_ text: String) {
        write(text, to: 1)
    }

    /// Writes without a newline, for a progress line that redraws itself.
    func errPartial(_ text: String) {
        write(text, to: 2)
    }

    /// Whether stderr is a terminal, so a progress line is worth drawing.
    var stderrIsTerminal: Bool { isatty(2) == 1 }

    private func write(_ text: String, to descriptor: Int32) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }
}

/// Environment lookups.
enum Environment {
    static func value(_ name: String) -> String? {
        guard let pointer = getenv(name) else { return nil }
        let text = String(cString: pointer)
        return text.isEmpty ? nil : text
    }
}
