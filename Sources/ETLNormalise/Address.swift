import ETLCore
import Foundation

/// An address as standardised from one record, with the original value kept beside it.
public struct Address: Sendable, Equatable {
    /// The value as the record gave it.
    public var original: String
    /// Compatibility-normalised (full-width digits and letters become ASCII) with every space
    /// removed: Chinese addresses are written without spaces, and exports add them at random.
    public var standard: String
    /// The divisions the text names, from the province down, as far as it names them.
    public var province: String?
    public var city: String?
    public var district: String?
    /// The street, town or township (街道, 镇, 乡) after the district, when the text has one.
    public var street: String?
    /// What follows: road, number, building.
    public var rest: String
    /// The code of the most specific division found (GB/T 2260), or `nil`.
    public var regionCode: String?
}

/// Splits addresses into province, city, district and street with the GB/T 2260 table. An
/// address may leave out levels ("成都市武侯区…" has no province, "武侯区…" only the district
/// when the pipeline's region makes it unique); a level is filled in only from the text or
/// from a higher level the text names, never guessed.
public final class AddressStandardiser: Sendable {
    private let index: [UInt32: [Entry]]
    /// Per code, the division's name.
    private let names: [Int32: String]

    public init(table: RegionTable = .shared) {
        index = Self.buildIndex(table)
        var names: [Int32: String] = [:]
        for codes in table.codesByName.values {
            for code in codes {
                if let number = Int32(code), names[number] == nil { names[number] = table.region(code)?.name }
            }
        }
        self.names = names
    }

    /// Suffixes a division's name may be written without: 四川 for 四川省, 成都 for 成都市.
    private static let shortenable: [[UInt8]] = ["省", "市", "自治区", "地区", "自治州", "盟", "特别行政区"].map {
        Array($0.utf8)
    }
    private static let streetMarkers: [[UInt8]] = ["街道", "镇", "乡"].map { Array($0.utf8) }

    public func standardise(_ text: String) -> Address {
        let normalised = text.compatibilityNormalised
        var bytes: [UInt8] = []
        bytes.reserveCapacity(normalised.utf8.count)
        var previousWasSpace = false
        for byte in normalised.utf8 {
            // ASCII whitespace and U+3000 (which NFKC already turned into a space).
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
                previousWasSpace = true
                continue
            }
            // Between two Latin letters or digits a space carries meaning: keep one.
            if previousWasSpace, byte < 0x80, let last = bytes.last, last < 0x80, Self.isAlphanumeric(byte),
                Self.isAlphanumeric(last)
            {
                bytes.append(0x20)
            }
            previousWasSpace = false
            bytes.append(byte)
        }
        var address = Address(
            original: text, standard: String(decoding: bytes, as: UTF8.self), rest: "")
        var position = 0
        var scope: Int32?  // the code whose descendants may follow
        // Province, then prefecture, then county: each level matches only inside the one above
        // it when that was named, and anywhere when it was not.
        bytes.withUnsafeBufferPointer { text in
            for level in 0...2 {
                guard let (code, length, shortened) = match(text, at: position, level: level, within: scope) else {
                    continue
                }
                // A province written short (四川) counts only when a place inside it follows, so
                // that a road such as 江西路 is not read as 江西省.
                if shortened, level == 0,
                    match(text, at: position + length, level: 1, within: code) == nil,
                    match(text, at: position + length, level: 2, within: code) == nil
                {
                    continue
                }
                let name = names[code]
                switch level {
                case 0: address.province = name
                case 1: address.city = name
                default: address.district = name
                }
                // When the text named a lower level without the higher ones, fill them in.
                if level >= 1, address.province == nil { address.province = names[code / 10000 * 10000] }
                if level == 2, address.city == nil { address.city = names[code / 100 * 100] }
                scope = code
                address.regionCode = String(code)
                position += length
            }
            // A street, town or township: up to its marker, within a short span.
            if address.district != nil || address.city != nil, let end = streetEnd(text, from: position) {
                address.street = String(decoding: UnsafeBufferPointer(rebasing: text[position..<end]), as: UTF8.self)
                position = end
            }
            address.rest = String(decoding: UnsafeBufferPointer(rebasing: text[position...]), as: UTF8.self)
        }
        return address
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }

    /// The longest division name of `level` at `position`, inside `scope` when given; current
    /// codes win over abolished ones. Returns the code, the bytes matched, and whether the name
    /// was written without its suffix.
    ///
    /// A name written without its suffix (四川 for 四川省, 成都 for 成都市) counts only for a
    /// province, or a prefecture inside a province the text named, and only when two characters
    /// or more are left, so that 中山路 is not read as 中山市, nor 武侯 alone as a district.
    private func match(
        _ text: UnsafeBufferPointer<UInt8>, at position: Int, level: Int, within scope: Int32?
    ) -> (code: Int32, length: Int, shortened: Bool)? {
        guard position < text.count, let entries = index[Self.firstCharacterKey(text, at: position)] else {
            return nil
        }
        let allowShort = level == 0 || (level == 1 && scope != nil)
        let available = text.count - position
        for entry in entries where entry.bytes.count <= available {
            if entry.shortened && !allowShort { continue }
            let equal = entry.bytes.withUnsafeBufferPointer { name in
                memcmp(text.baseAddress! + position, name.baseAddress!, name.count) == 0
            }
            guard equal else { continue }
            if let code = pick(entry.places, level: level, within: scope) {
                return (code, entry.bytes.count, entry.shortened)
            }
        }
        return nil
    }

    /// A division name as the text may write it, with the places it names (current ones first).
    private struct Entry: Sendable {
        var bytes: [UInt8]
        var places: [Place]
        var shortened: Bool
    }

    /// A division: its code as a number, its level (0 province, 1 prefecture, 2 county), and
    /// whether the code is in use.
    private struct Place: Sendable {
        var code: Int32
        var level: Int
        var isCurrent: Bool
    }

    /// Per first character (its UTF-8 bytes packed in an integer), the names that start with
    /// it: longest first, a full name before a shortened one of the same length.
    private static func buildIndex(_ table: RegionTable) -> [UInt32: [Entry]] {
        var index: [UInt32: [Entry]] = [:]
        for (name, codes) in table.codesByName where name.count >= 3 {
            let places = codes.compactMap { code in
                Int32(code).map {
                    Place(
                        code: $0, level: RegionTable.level(of: code), isCurrent: table.region(code)?.isCurrent == true)
                }
            }
            func add(_ bytes: [UInt8], shortened: Bool) {
                let key = bytes.withUnsafeBufferPointer { firstCharacterKey($0, at: 0) }
                index[key, default: []].append(Entry(bytes: bytes, places: places, shortened: shortened))
            }
            add(name, shortened: false)
            for suffix in shortenable
            where name.count >= suffix.count + 6 && name.suffix(suffix.count).elementsEqual(suffix) {
                add(Array(name.dropLast(suffix.count)), shortened: true)
            }
        }
        for key in index.keys {
            index[key]!.sort { a, b in
                if a.bytes.count != b.bytes.count { return a.bytes.count > b.bytes.count }
                if a.shortened != b.shortened { return !a.shortened }
                return a.bytes.lexicographicallyPrecedes(b.bytes)
            }
        }
        return index
    }

    /// The first character's bytes at `position`, packed into an integer.
    private static func firstCharacterKey(_ bytes: UnsafeBufferPointer<UInt8>, at position: Int) -> UInt32 {
        let lead = bytes[position]
        let length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
        var key: UInt32 = 0
        for offset in 0..<min(length, bytes.count - position) { key = key << 8 | UInt32(bytes[position + offset]) }
        return key
    }

    private func pick(_ places: [Place], level: Int, within scope: Int32?) -> Int32? {
        guard let scope else {
            // Without a scope, a name shared by several places (朝阳区 in Beijing and in
            // Changchun) says nothing about which one is meant. Current codes count first.
            var found: Int32?
            for wantCurrent in [true, false] {
                for place in places where place.level == level && place.isCurrent == wantCurrent {
                    if let found, found != place.code { return nil }
                    found = place.code
                }
                if found != nil { return found }
            }
            return nil
        }
        let divisor: Int32 = scope % 10000 == 0 ? 10000 : 100
        return places.first { $0.level == level && $0.code / divisor == scope / divisor }?.code
    }

    /// Where a street, town or township name that starts at `position` ends (after its marker),
    /// when a marker comes within ten characters.
    private func streetEnd(_ bytes: UnsafeBufferPointer<UInt8>, from position: Int) -> Int? {
        var index = position
        var characters = 0
        while index < bytes.count, characters < 10 {
            for marker in Self.streetMarkers
            where index + marker.count <= bytes.count
                && marker.indices.allSatisfy({ bytes[index + $0] == marker[$0] })
            {
                return index > position ? index + marker.count : nil
            }
            let byte = bytes[index]
            index += byte < 0x80 ? 1 : byte < 0xE0 ? 2 : byte < 0xF0 ? 3 : 4
            characters += 1
        }
        return nil
    }
}
