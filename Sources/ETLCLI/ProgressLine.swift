import ETLCore
import ETLPipeline

/// A progress line on stderr, redrawn at most five times a second.
final class ProgressLine {
    private let console: Console
    private var lastDraw = 0.0
    private var drawn = false

    init(console: Console) {
        self.console = console
    }

    func draw(_ update: ProgressUpdate) {
        let now = Timestamp.monotonicSeconds()
        guard now - lastDraw >= 0.2 else { return }
        lastDraw = now
        drawn = true
        let rate = update.seconds > 0 ? Int(Double(update.records) / update.seconds) : 0
        let percent = update.totalBytes > 0 ? update.bytesRead * 100 / update.totalBytes : 100
        console.errPartial(
            "\r\u{1B}[K\(update.source): \(update.file)  \(Summary.grouped(update.records)) records  \(Summary.grouped(rate)) records/s  \(percent)%"
        )
    }

    func clear() {
        if drawn { console.errPartial("\r\u{1B}[K") }
        drawn = false
    }
}
