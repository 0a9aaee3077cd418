import ETLCore
import Foundation

/// The resolver's records after standardisation, as columns of small integers: each distinct
/// name, ID number, phone and address is interned once, so comparing two records compares
/// integers, and the text each comparison needs is laid out flat beside them.
struct PreparedRecords: Sendable {
    let count: Int
    var source: [Int32] = []
    var runID: [Int64] = []
    /// Interned standard ID number, or -1.
    var idNumber: [Int32] = []
    var idStatus: [IDStatusCode] = []
    /// The birth date the ID number holds (yyyymmdd), or 0.
    var idBirth: [Int32] = []
    var name: [Int32] = []
    var pinyin: [Int32] = []
    var surname: [Int32] = []
    /// The record's own birth date (yyyymmdd), else the one its ID number holds, else 0.
    var birth: [Int32] = []
    /// 1 male, 2 female, 0 unknown: the record's own code, else the one its ID number holds.
    var sex: [UInt8] = []
    var phone: [Int32] = []
    var address: [Int32] = []
    /// The six-digit region code of the address's district (or city), or 0.
    var district: [Int32] = []

    var names = Interner()
    var pinyins = Interner()
    var surnames = Interner()
    var idNumbers = Interner()
    var phones = Interner()
    var addresses = Interner()
    /// Per interned name, its Unicode scalars; per address, the sorted hashes of its character
    /// bigrams. (An ID number's or phone's bytes are its interner's.)
    var nameScalars = FlatLists<UInt32>()
    var addressBigrams = FlatLists<UInt32>()
    /// Standardised forms the golden record reports, per record.
    var idNumberValid: [Bool] = []
    var phoneValid: [Bool] = []
    var addressPlaced: [Bool] = []
    /// Per record, its whole standard address (interned in `addressTexts`), or -1.
    var addressText: [Int32] = []
    var addressTexts = Interner()

    /// Compound surnames, which take the first two characters.
    private static let compoundSurnames: Set<String> = [
        "欧阳", "司马", "诸葛", "上官", "慕容", "司徒", "东方", "皇甫", "夏侯", "尉迟", "公孙", "长孙", "宇文", "令狐",
        "独孤", "端木", "南宫", "西门", "轩辕", "呼延", "澹台", "太史", "申屠", "闻人",
    ]
    /// The compound surnames as their two characters' code points, packed: looked up for every
    /// name, where hashing a `String` would normalise it first.
    private static let compoundSurnameCodes = Set(
        compoundSurnames.map { surname in
            surname.unicodeScalars.reduce(UInt64(0)) { $0 << 32 | UInt64($1.value) }
        })

    /// One record's standardised values, before interning.
    private struct Standardised: Sendable {
        var id: IDNumber?
        var name: PersonName?
        var surname = ""
        var phone: PhoneNumber?
        var addressKey = ""
        var addressBigrams: [UInt32] = []
        var addressText: String?
        var district: Int32 = 0
        /// The birth date the ID number holds (yyyymmdd), or 0.
        var idBirth: Int32 = 0
    }

    /// Prepares records that `next` gives a batch at a time, in the order they are to have
    /// (prepared record `i` is the `i`-th record given). `next(limit)` returns at most `limit`
    /// records, and none once all have been given. Only two batches of inputs are held at
    /// once, never all of them. `expectedCount`, when known, is how many records will come:
    /// the columns are then sized once, from the first batch, rather than doubled as they
    /// fill (each doubling holds the old and the new buffer at once).
    init(batches next: (Int) throws -> [ResolverInput], expectedCount: Int = 0) rethrows {
        // Standardising is the slow part: it runs on every core, each with its own
        // standardisers (the name standardiser caches pinyin and is not shared). While one
        // batch is interned, the next is read.
        let cores = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 16))
        let standardisers = (0..<cores).map { _ in (NameStandardiser(), AddressStandardiser()) }
        let identities = Box(IDColumns())
        let people = Box(NameColumns())
        let telephones = Box(PhoneColumns())
        let places = Box(AddressColumns())
        let plain = Box(PlainColumns())
        var batch = try next(PreparedRecords.batchSize)
        while !batch.isEmpty {
            let values = PreparedRecords.standardiseInParallel(batch, standardisers: standardisers)
            let current = batch
            let group = DispatchGroup()
            // Each group of columns has its own interners, so the groups fill in parallel.
            DispatchQueue.global().async(group: group) {
                DispatchQueue.concurrentPerform(iterations: 5) { column in
                    switch column {
                    case 0: for value in values { identities.value.append(value) }
                    case 1: for value in values { people.value.append(value) }
                    case 2: for value in values { telephones.value.append(value) }
                    case 3: for value in values { places.value.append(value) }
                    default: for (input, value) in zip(current, values) { plain.value.append(input, value) }
                    }
                }
            }
            do {
                batch = try next(PreparedRecords.batchSize)
            } catch {
                group.wait()
                throw error
            }
            group.wait()
            let read = plain.value.source.count
            if read == current.count, expectedCount > read, !batch.isEmpty {
                let factor = Double(expectedCount) / Double(read)
                identities.value.reserve(growingBy: factor)
                people.value.reserve(growingBy: factor)
                telephones.value.reserve(growingBy: factor)
                places.value.reserve(growingBy: factor)
                plain.value.reserve(growingBy: factor)
            }
        }
        count = plain.value.source.count
        (source, runID, birth, sex) = plain.value.take()
        (idNumber, idStatus, idBirth, idNumberValid, idNumbers) = identities.value.take()
        (name, pinyin, surname, names, pinyins, surnames, nameScalars) = people.value.take()
        (phone, phoneValid, phones) = telephones.value.take()
        (address, district, addressPlaced, addressText, addresses, addressTexts, addressBigrams) =
            places.value.take()
        compact()
    }

    /// Gives back the room the columns grew into while they were filled (up to half of each).
    private mutating func compact() {
        source = source.compacted()
        runID = runID.compacted()
        idNumber = idNumber.compacted()
        idStatus = idStatus.compacted()
        idBirth = idBirth.compacted()
        name = name.compacted()
        pinyin = pinyin.compacted()
        surname = surname.compacted()
        birth = birth.compacted()
        sex = sex.compacted()
        phone = phone.compacted()
        address = address.compacted()
        district = district.compacted()
        idNumberValid = idNumberValid.compacted()
        phoneValid = phoneValid.compacted()
        addressPlaced = addressPlaced.compacted()
        addressText = addressText.compacted()
        names.compact()
        pinyins.compact()
        surnames.compact()
        idNumbers.compact()
        phones.compact()
        addresses.compact()
        addressTexts.compact()
        nameScalars.compact()
        addressBigrams.compact()
    }

    /// Records standardised at a time.
    private static let batchSize = 65_536

    /// The columns that need no interning: source, run, birth date and sex.
    private struct PlainColumns {
        var source: [Int32] = []
        var runID: [Int64] = []
        var birth: [Int32] = []
        var sex: [UInt8] = []

        mutating func append(_ input: ResolverInput, _ values: Standardised) {
            source.append(Int32(input.source))
            runID.append(input.runID)
            var ownBirth = input.birthDate.map(PreparedRecords.dateNumber) ?? 0
            var ownSex: UInt8 = input.sexCode == .male ? 1 : input.sexCode == .female ? 2 : 0
            if let number = values.id {
                if ownBirth == 0 { ownBirth = values.idBirth }
                if ownSex == 0, let derivedSex = number.sex { ownSex = derivedSex == .male ? 1 : 2 }
            }
            birth.append(ownBirth)
            sex.append(ownSex)
        }

        mutating func reserve(growingBy factor: Double) {
            source.reserve(growingBy: factor)
            runID.reserve(growingBy: factor)
            birth.reserve(growingBy: factor)
            sex.reserve(growingBy: factor)
        }

        func take() -> ([Int32], [Int64], [Int32], [UInt8]) {
            (source, runID, birth, sex)
        }
    }

    /// The ID number columns and their interner.
    private struct IDColumns {
        var idNumber: [Int32] = []
        var idStatus: [IDStatusCode] = []
        var idBirth: [Int32] = []
        var idNumberValid: [Bool] = []
        var idNumbers = Interner()

        mutating func append(_ values: Standardised) {
            guard let number = values.id else {
                idNumber.append(-1)
                idStatus.append(.none)
                idBirth.append(0)
                idNumberValid.append(false)
                return
            }
            idNumber.append(idNumbers.intern(number.standard).id)
            idStatus.append(IDStatusCode(number.status))
            idBirth.append(values.idBirth)
            idNumberValid.append(number.status == .valid)
        }

        mutating func reserve(growingBy factor: Double) {
            idNumber.reserve(growingBy: factor)
            idStatus.reserve(growingBy: factor)
            idBirth.reserve(growingBy: factor)
            idNumberValid.reserve(growingBy: factor)
            idNumbers.reserve(growingBy: factor)
        }

        func take() -> ([Int32], [IDStatusCode], [Int32], [Bool], Interner) {
            (idNumber, idStatus, idBirth, idNumberValid, idNumbers)
        }
    }

    /// The name columns and their interners.
    private struct NameColumns {
        var name: [Int32] = []
        var pinyin: [Int32] = []
        var surname: [Int32] = []
        var names = Interner()
        var pinyins = Interner()
        var surnames = Interner()
        var nameScalars = FlatLists<UInt32>()

        mutating func append(_ values: Standardised) {
            guard let standard = values.name else {
                name.append(-1)
                pinyin.append(-1)
                surname.append(-1)
                return
            }
            let (id, isNew) = names.intern(standard.standard)
            if isNew { nameScalars.append(standard.standard.unicodeScalars.lazy.map(\.value)) }
            name.append(id)
            pinyin.append(standard.pinyinKey.isEmpty ? -1 : pinyins.intern(standard.pinyinKey).id)
            surname.append(surnames.intern(values.surname).id)
        }

        mutating func reserve(growingBy factor: Double) {
            name.reserve(growingBy: factor)
            pinyin.reserve(growingBy: factor)
            surname.reserve(growingBy: factor)
            names.reserve(growingBy: factor)
            pinyins.reserve(growingBy: factor)
            surnames.reserve(growingBy: factor)
            nameScalars.reserve(growingBy: factor)
        }

        func take() -> ([Int32], [Int32], [Int32], Interner, Interner, Interner, FlatLists<UInt32>) {
            (name, pinyin, surname, names, pinyins, surnames, nameScalars)
        }
    }

    /// The phone columns and their interner.
    private struct PhoneColumns {
        var phone: [Int32] = []
        var phoneValid: [Bool] = []
        var phones = Interner()

        mutating func append(_ values: Standardised) {
            guard let number = values.phone else {
                phone.append(-1)
                phoneValid.append(false)
                return
            }
            if number.standard.isEmpty {
                phone.append(-1)
            } else {
                phone.append(phones.intern(number.standard).id)
            }
            phoneValid.append(number.kind != .invalid)
        }

        mutating func reserve(growingBy factor: Double) {
            phone.reserve(growingBy: factor)
            phoneValid.reserve(growingBy: factor)
            phones.reserve(growingBy: factor)
        }

        func take() -> ([Int32], [Bool], Interner) {
            (phone, phoneValid, phones)
        }
    }

    /// The address columns and their interners.
    private struct AddressColumns {
        var address: [Int32] = []
        var district: [Int32] = []
        var addressPlaced: [Bool] = []
        var addressText: [Int32] = []
        /// Address keys are only compared for identity.
        var addresses = Interner(keepingBytes: false)
        var addressTexts = Interner()
        var addressBigrams = FlatLists<UInt32>()

        mutating func append(_ values: Standardised) {
            guard let text = values.addressText else {
                address.append(-1)
                district.append(0)
                addressPlaced.append(false)
                addressText.append(-1)
                return
            }
            if values.addressKey.isEmpty {
                address.append(-1)
            } else {
                let (id, isNew) = addresses.intern(values.addressKey)
                if isNew { addressBigrams.append(values.addressBigrams) }
                address.append(id)
            }
            district.append(values.district)
            addressPlaced.append(values.district != 0)
            addressText.append(addressTexts.intern(text).id)
        }

        mutating func reserve(growingBy factor: Double) {
            address.reserve(growingBy: factor)
            district.reserve(growingBy: factor)
            addressPlaced.reserve(growingBy: factor)
            addressText.reserve(growingBy: factor)
            addresses.reserve(growingBy: factor)
            addressTexts.reserve(growingBy: factor)
            addressBigrams.reserve(growingBy: factor)
        }

        func take() -> ([Int32], [Int32], [Bool], [Int32], Interner, Interner, FlatLists<UInt32>) {
            (address, district, addressPlaced, addressText, addresses, addressTexts, addressBigrams)
        }
    }

    /// Standardises `inputs`, splitting the work across the cores, one pair of standardisers
    /// per core.
    private static func standardiseInParallel(
        _ inputs: [ResolverInput], standardisers: [(NameStandardiser, AddressStandardiser)]
    ) -> [Standardised] {
        let chunks = inputs.count < 4096 ? 1 : standardisers.count
        var results = [Standardised](repeating: Standardised(), count: inputs.count)
        results.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let output = buffer
            nonisolated(unsafe) let standardisers = standardisers
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let (names, addresses) = standardisers[chunk]
                for index in (inputs.count * chunk / chunks)..<(inputs.count * (chunk + 1) / chunks) {
                    output[index] = standardise(inputs[index], names: names, addresses: addresses)
                }
            }
        }
        return results
    }

    private static func standardise(
        _ input: ResolverInput, names: NameStandardiser, addresses: AddressStandardiser
    ) -> Standardised {
        var values = Standardised()
        if let text = input.idNumber, !text.isEmpty {
            let number = IDNumber(text)
            values.id = number
            values.idBirth = number.birthDate.map(dateNumber) ?? 0
        }
        if let text = input.name, !text.isEmpty {
            let standard = names.standardise(text)
            values.name = standard
            values.surname = surname(of: standard)
        }
        if let text = input.phone, !text.isEmpty { values.phone = PhoneNumber(text) }
        if let text = input.address, !text.isEmpty {
            let standard = addresses.standardise(text)
            // Compared from the district down, so that 四川省成都市武侯区… and 武侯区… agree.
            let code = standard.regionCode.flatMap { RegionTable.level(of: $0) >= 1 ? Int32($0) : nil } ?? 0
            let local = code == 0 ? standard.standard : (standard.street ?? "") + standard.rest
            values.addressKey = code == 0 ? local : String(code) + "|" + local
            values.addressBigrams = bigrams(of: local)
            values.addressText = standard.standard
            values.district = code
        }
        return values
    }

    /// `yyyy-MM-dd` as the number yyyymmdd; 0 when it is not that shape.
    static func dateNumber(_ iso: String) -> Int32 {
        var value: Int32 = 0
        var digits = 0
        for byte in iso.utf8 {
            if byte == UInt8(ascii: "-") { continue }
            guard byte &- UInt8(ascii: "0") < 10 else { return 0 }
            value = value * 10 + Int32(byte - UInt8(ascii: "0"))
            digits += 1
        }
        return digits == 8 ? value : 0
    }

    /// The surname: a compound surname's two characters, else the first character.
    private static func surname(of name: PersonName) -> String {
        guard name.isChinese else {
            return String(name.standard.split(separator: " ").last ?? Substring(name.standard))
        }
        var scalars = name.standard.unicodeScalars.makeIterator()
        guard let first = scalars.next() else { return "" }
        if let second = scalars.next(), compoundSurnameCodes.contains(UInt64(first.value) << 32 | UInt64(second.value))
        {
            return String(String.UnicodeScalarView([first, second]))
        }
        return String(first)
    }

    /// The sorted, distinct hashes of the text's character bigrams (its single character when
    /// it has only one).
    static func bigrams(of text: String) -> [UInt32] {
        let scalars = Array(text.unicodeScalars.lazy.map(\.value))
        guard scalars.count > 1 else { return scalars }
        var hashes: [UInt32] = []
        hashes.reserveCapacity(scalars.count - 1)
        for index in 0..<(scalars.count - 1) {
            hashes.append(scalars[index] &* 2_654_435_761 ^ scalars[index + 1])
        }
        hashes.sort()
        var unique: [UInt32] = []
        unique.reserveCapacity(hashes.count)
        for hash in hashes where unique.last != hash { unique.append(hash) }
        return unique
    }
}

/// How an ID number read, in one byte.
enum IDStatusCode: UInt8, Sendable {
    case none = 0
    case valid
    case invalidChecksum
    case malformed

    init(_ status: IDNumber.Status) {
        switch status {
        case .valid: self = .valid
        case .invalidChecksum: self = .invalidChecksum
        case .malformed: self = .malformed
        }
    }
}

/// Gives each distinct string a small integer, in the order first seen. An open-addressing
/// table over the strings' UTF-8 bytes: `String`'s own hashing and `==` normalise non-ASCII
/// text on every lookup, and standardised values are already normalised.
///
/// By default it keeps the values' bytes in one buffer (a `String` per value would double the
/// memory). A value only ever compared for identity can be kept as a 128-bit digest instead
/// (`keepingBytes: false`): two different values share a digest with a chance of about n² in
/// 2¹²⁹, under 10⁻²⁴ for ten million values.
struct Interner: Sendable {
    /// Per slot, the id stored there plus one (0: empty).
    private var slots = [Int32](repeating: 0, count: 1024)
    /// With bytes: value `id` is `bytes[offsets[id]..<offsets[id + 1]]`.
    private var bytes: [UInt8] = []
    private var offsets: [Int] = [0]
    /// Without: value `id`'s digest is `digests[2 * id]`, `digests[2 * id + 1]`.
    private var digests: [UInt64] = []
    private let keepsBytes: Bool
    private(set) var count = 0

    init(keepingBytes: Bool = true) {
        keepsBytes = keepingBytes
    }

    /// The value's integer, and whether it was new.
    mutating func intern(_ value: String) -> (id: Int32, isNew: Bool) {
        var text = value
        return text.withUTF8 { intern($0) }
    }

    /// The integer of the value whose UTF-8 bytes are `text`, and whether it was new.
    mutating func intern(_ text: UnsafeBufferPointer<UInt8>) -> (id: Int32, isNew: Bool) {
        let hash = Interner.hash(text, seed: 0xCBF2_9CE4_8422_2325)
        let check = keepsBytes ? 0 : Interner.hash(text, seed: 0x6A09_E667_F3BC_C908)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] != 0 {
            let id = Int(slots[slot] - 1)
            if keepsBytes {
                if offsets[id + 1] - offsets[id] == text.count,
                    bytes.withUnsafeBufferPointer({ stored in
                        text.isEmpty || memcmp(stored.baseAddress! + offsets[id], text.baseAddress!, text.count) == 0
                    })
                {
                    return (Int32(id), false)
                }
            } else if digests[2 * id] == hash, digests[2 * id + 1] == check {
                return (Int32(id), false)
            }
            slot = (slot + 1) & mask
        }
        let id = count
        if keepsBytes {
            bytes.append(contentsOf: text)
            offsets.append(bytes.count)
        } else {
            digests.append(hash)
            digests.append(check)
        }
        count += 1
        slots[slot] = Int32(id + 1)
        if count * 2 > slots.count { grow() }
        return (Int32(id), true)
    }

    /// Gives back the room the buffers grew into.
    mutating func compact() {
        bytes = bytes.compacted()
        offsets = offsets.compacted()
        digests = digests.compacted()
    }

    /// Makes room for `factor` times the values there are now.
    mutating func reserve(growingBy factor: Double) {
        bytes.reserve(growingBy: factor)
        offsets.reserve(growingBy: factor)
        digests.reserve(growingBy: factor)
        var size = slots.count
        while size < Int(Double(count) * factor * 2) { size *= 2 }
        if size > slots.count { grow(to: size) }
    }

    /// Value `id` as a string (an interner that keeps bytes).
    func string(_ id: Int32) -> String {
        with(id) { String(decoding: $0, as: UTF8.self) }
    }

    /// Calls `body` with the UTF-8 bytes of value `id`, without copying them (an interner that
    /// keeps bytes).
    @inline(__always)
    func with<Result>(_ id: Int32, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        precondition(keepsBytes, "this interner keeps digests, not values")
        let start = offsets[Int(id)]
        let end = offsets[Int(id) + 1]
        return bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[start..<end])) }
    }

    private mutating func grow(to size: Int? = nil) {
        var larger = [Int32](repeating: 0, count: size ?? slots.count * 2)
        let mask = larger.count - 1
        bytes.withUnsafeBufferPointer { stored in
            for id in 0..<count {
                let hash =
                    keepsBytes
                    ? Interner.hash(
                        UnsafeBufferPointer(rebasing: stored[offsets[id]..<offsets[id + 1]]),
                        seed: 0xCBF2_9CE4_8422_2325) : digests[2 * id]
                var slot = Int(truncatingIfNeeded: hash) & mask
                while larger[slot] != 0 { slot = (slot + 1) & mask }
                larger[slot] = Int32(id + 1)
            }
        }
        slots = larger
    }

    /// FNV-1a over the bytes from `seed`, with a final mix so that the low bits (the slot) vary.
    private static func hash(_ text: UnsafeBufferPointer<UInt8>, seed: UInt64) -> UInt64 {
        var hash = seed
        for byte in text { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        hash ^= hash >> 33
        hash &*= 0xFF51_AFD7_ED55_8CCD
        hash ^= hash >> 33
        hash &*= 0xC4CE_B9FE_1A85_EC53
        return hash ^ (hash >> 33)
    }
}

/// Many short lists in one array: list `i` is `elements[offsets[i]..<offsets[i + 1]]`.
struct FlatLists<Element: Sendable>: Sendable {
    private(set) var elements: [Element] = []
    private(set) var offsets: [Int32] = [0]

    mutating func append<List: Sequence<Element>>(_ list: List) {
        elements.append(contentsOf: list)
        offsets.append(Int32(elements.count))
    }

    /// Gives back the room the buffers grew into.
    mutating func compact() {
        elements = elements.compacted()
        offsets = offsets.compacted()
    }

    /// Makes room for `factor` times the lists there are now.
    mutating func reserve(growingBy factor: Double) {
        elements.reserve(growingBy: factor)
        offsets.reserve(growingBy: factor)
    }

    /// Calls `body` with list `index`, without copying it.
    @inline(__always)
    func with<Result>(_ index: Int32, _ body: (UnsafeBufferPointer<Element>) -> Result) -> Result {
        let start = Int(offsets[Int(index)])
        let end = Int(offsets[Int(index) + 1])
        return elements.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[start..<end])) }
    }
}

/// A value handed from one thread to another, under the hand-over's own synchronisation
/// (here a `DispatchGroup` wait).
private final class Box<Value>: @unchecked Sendable {
    var value: Value

    init(_ value: Value) {
        self.value = value
    }
}

extension Array {
    /// Makes room for `factor` times the elements there are now, and a tenth more.
    mutating func reserve(growingBy factor: Double) {
        reserveCapacity(Int((Double(count) * factor * 1.1).rounded(.up)))
    }

    /// The same elements in a buffer of their size, when this one has much room to spare.
    func compacted() -> [Element] {
        // (A slice of the whole array would share this buffer; a copy from its memory does not.)
        capacity - count > count / 8 ? withUnsafeBufferPointer { Array($0) } : self
    }
}
