import ETLCore
import ETLImport
import Foundation

/// Reads a file on a second thread while the caller's thread writes to SQLite: parsing and
/// staging each take about half the work, and this machine has two cores.
///
/// The reader thread owns the `RecordStream` until it finishes; items cross in batches
/// through a bounded queue, so memory stays flat however large the file is.
final class ImportPipe: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [RowBatch] = []
    private var finished = false
    private var failure: ImportError?
    private var cancelled = false
    private let capacity = 8
    private let batchSize = 2048
    /// The stream, handed to the reader thread; never touched by the caller's thread again.
    private nonisolated(unsafe) var stream: RecordStream?
    private let done = DispatchSemaphore(value: 0)

    private let file: String

    init(stream: RecordStream) {
        self.stream = stream
        self.file = stream.displayName
        let thread = Thread { [self] in read() }
        thread.name = "etl-import-reader"
        thread.start()
    }

    private func read() {
        defer { done.signal() }
        guard let stream else { return }
        do {
            while true {
                var batch = RowBatch(file: file, capacity: batchSize)
                guard try stream.read(into: &batch, maxItems: batchSize) else { break }
                guard push(batch) else { break }
            }
            finish(nil)
        } catch {
            finish(error)
        }
        self.stream = nil
    }

    /// Waits for room and enqueues; `false` when the consumer has given up.
    private func push(_ batch: RowBatch) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while queue.count >= capacity && !cancelled { condition.wait() }
        if cancelled { return false }
        queue.append(batch)
        condition.broadcast()
        return true
    }

    private func finish(_ error: ImportError?) {
        condition.lock()
        finished = true
        failure = error
        condition.broadcast()
        condition.unlock()
    }

    /// The next batch, `nil` at the end; rethrows a failure of the reader.
    func next() throws(ImportError) -> RowBatch? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty && !finished { condition.wait() }
        if !queue.isEmpty {
            let batch = queue.removeFirst()
            condition.broadcast()
            return batch
        }
        if let failure { throw failure }
        return nil
    }

    /// Stops the reader (when the writer failed) and waits for its thread to end.
    func close() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
        done.wait()
    }
}
