#if canImport(Glibc)
    import Glibc
#endif

/// The current record's values, by slot, as UTF-8 bytes in one reusable buffer: readers
/// fill it, the mapper reads it, and no `String` is made on the way.
final class FieldArena {
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private(set) var count = 0
    /// Per slot: start and length; a length of -1 means the record has no value there.
    private var spans: [Int]
    private var openStart = -1
    let slotCount: Int

    init(slotCount: Int) {
        self.slotCount = slotCount
        capacity = 4096
        storage = .allocate(capacity: capacity)
        spans = [Int](repeating: -1, count: slotCount * 2)
    }

    deinit {
        storage.deallocate()
    }

    /// Forgets every value, keeping the memory.
    func reset() {
        count = 0
        for slot in 0..<slotCount { spans[slot * 2 + 1] = -1 }
    }

    /// Makes room for `extra` more bytes and returns where they go.
    func reserve(_ extra: Int) -> UnsafeMutablePointer<UInt8> {
        if count + extra > capacity {
            var grown = capacity * 2
            while grown < count + extra { grown *= 2 }
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
            bigger.update(from: storage, count: count)
            storage.deallocate()
            storage = bigger
            capacity = grown
        }
        return storage + count
    }

    /// Sets `slot` to a copy of `bytes`.
    func set(_ slot: Int, _ bytes: UnsafeBufferPointer<UInt8>) {
        begin()
        append(bytes)
        end(slot)
    }

    /// Starts a value that `append` builds.
    func begin() {
        openStart = count
    }

    func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count).update(from: base, count: bytes.count)
        count += bytes.count
    }

    /// Counts `written` bytes put at `reserve`'s pointer as part of the open value.
    func commit(_ written: Int) {
        count += written
    }

    /// Finishes the value begun with `begin` as `slot`.
    func end(_ slot: Int) {
        spans[slot * 2] = openStart
        spans[slot * 2 + 1] = count - openStart
        openStart = -1
    }

    /// The value of `slot`, or `nil` when there is none or it is empty (empty means unknown).
    func slice(_ slot: Int) -> UnsafeBufferPointer<UInt8>? {
        let length = spans[slot * 2 + 1]
        guard length > 0 else { return nil }
        return UnsafeBufferPointer(start: storage + spans[slot * 2], count: length)
    }

    /// The first slot whose value holds `byte`, or `nil`; one `memchr` over the arena when no
    /// value does, which is the usual case.
    func firstSlot(containing byte: UInt8) -> Int? {
        guard count > 0, memchr(storage, Int32(byte), count) != nil else { return nil }
        for slot in 0..<slotCount {
            guard let value = slice(slot), let base = value.baseAddress else { continue }
            if memchr(base, Int32(byte), value.count) != nil { return slot }
        }
        return nil
    }

    func string(_ slot: Int) -> String? {
        slice(slot).map { String(decoding: $0, as: UTF8.self) }
    }
}
