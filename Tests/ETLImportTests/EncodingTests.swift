import ETLCore
import TestSupport
import Testing

@testable import ETLImport

/// GB18030 and UTF-8 reading, `auto` resolution and undecodable bytes.
@Suite struct EncodingTests {
    let directory = TemporaryDirectory()

    /// Chinese column names, as the social-security export has them.
    static let spec = SourceSpec(
        name: "test", key: "编号",
        fields: [.name: FieldMapping(sources: ["姓名"]), .address: FieldMapping(sources: ["地址"])],
        payload: ["备注"])

    static let text = """
        编号,姓名,地址,备注\r
        K1,甲𪚥,测试路1号,"说明,一"\r
        K2,阿依·测试,测试路·2号,\r
        K3,乙䶮,,三\r

        """

    private func fingerprint(_ bytes: [UInt8]) throws -> FileFingerprint {
        try FileFingerprint.compute(path: directory.write("f", bytes: bytes), displayName: "f")
    }

    @Test func gb18030EncoderWritesTheExpectedBytes() {
        // Guards the test data itself: 𪚥 is a four-byte sequence, · is A1A4.
        #expect(GB18030.encode("𪚥") == [0x98, 0x35, 0xEE, 0x37])
        #expect(GB18030.encode("·") == [0xA1, 0xA4])
    }

    @Test func theTableDecoderRoundTripsEveryCommonHanziAndFourByteCharacters() {
        // All of the basic CJK block (two-byte codes), then four-byte ones: a BMP character
        // outside GBK, a supplementary-plane character, and mixed ASCII.
        let hanzi = String(String.UnicodeScalarView((0x4E00...0x9FA5).compactMap(Unicode.Scalar.init)))
        let text = hanzi + "a€·䶮ü𪚥z"
        let bytes = GB18030.encode(text)
        let arena = FieldArena(slotCount: 1)
        let decoded = bytes.withUnsafeBufferPointer { GB18030Decoder().decode($0, into: arena, slot: 0) }
        #expect(decoded)
        #expect(arena.string(0) == text)
    }

    @Test func theTableDecoderRefusesBrokenSequences() {
        let decoder = GB18030Decoder()
        let arena = FieldArena(slotCount: 1)
        for broken: [UInt8] in [[0x80], [0xFF], [0x41, 0xD6], [0xD6, 0x7F], [0xD6, 0xFF], [0x98, 0x35, 0xEE]] {
            arena.reset()
            #expect(!broken.withUnsafeBufferPointer { decoder.decode($0, into: arena, slot: 0) })
        }
    }

    @Test func readsGB18030IncludingFourByteSequencesAndTheMiddleDot() throws {
        let path = directory.write("t.csv", bytes: GB18030.encode(Self.text))
        let items = try Read.items(path, format: .csv, spec: Self.spec, encoding: .gb18030)
        #expect(items.rejects.isEmpty)
        let records = items.records
        try #require(records.count == 3)
        #expect(records[0].fields.name == "甲𪚥")
        #expect(records[0].fields.name?.unicodeScalars.last?.value == 0x2A6A5)
        #expect(records[0].payload("备注") == "说明,一")
        #expect(records[1].fields.name == "阿依·测试")
        #expect(records[1].fields.name?.unicodeScalars.contains { $0.value == 0xB7 } == true)
        #expect(records[1].fields.address == "测试路·2号")
        #expect(records[2].fields.name == "乙䶮")
        #expect(records[2].fields.address == nil)
        #expect(records.map(\.location.line) == [2, 3, 4])
    }

    @Test(arguments: [false, true])
    func readsUTF8WithAndWithoutByteOrderMark(withMark: Bool) throws {
        let bytes = (withMark ? [0xEF, 0xBB, 0xBF] : []) + Array(Self.text.utf8)
        let items = try Read.items(
            directory.write("t.csv", bytes: bytes), format: .csv, spec: Self.spec, encoding: .utf8)
        #expect(items.rejects.isEmpty)
        #expect(items.records.map(\.key) == ["K1", "K2", "K3"])
        #expect(items.records.map(\.fields.name) == ["甲𪚥", "阿依·测试", "乙䶮"])
    }

    /// `iconv -t gb18030` of a UTF-8 file with a mark writes the mark as GB18030's U+FEFF.
    @Test(arguments: [TextEncoding.auto, .gb18030, .utf8])
    func readsGB18030WithItsByteOrderMark(declared: TextEncoding) throws {
        let path = directory.write("t.csv", bytes: [0x84, 0x31, 0x95, 0x33] + GB18030.encode(Self.text))
        let print = try FileFingerprint.compute(path: path, displayName: "t.csv", checkUTF8: true)
        #expect(print.byteOrderMark == .gb18030)
        let encoding = try declared.resolved(for: print, format: .csv, file: "t.csv")
        #expect(encoding == .gb18030)
        let items = try Read.items(path, format: .csv, spec: Self.spec, encoding: encoding)
        #expect(items.rejects.isEmpty)
        #expect(items.records.map(\.key) == ["K1", "K2", "K3"])
        #expect(throws: ImportError.self) { try declared.resolved(for: print, format: .xml, file: "t.xml") }
    }

    /// 𪚥 starts at byte 5 of the target; the 1 MiB boundary falls before each of its bytes
    /// and right after it.
    @Test(arguments: 5...9)
    func gb18030CharacterStraddlingTheChunkBoundary(split: Int) throws {
        let header = GB18030.encode("编号,姓名,地址,备注\r\n")
        let target = GB18030.encode("K1,甲𪚥,测试,\r\n")
        let (bytes, fillers) = Straddle.csv(prefix: header, target: target, split: split, columns: 4)
        let path = directory.write("t.csv", bytes: bytes)
        let (records, rejects) = try Read.batch(path, format: .csv, spec: Self.spec, encoding: .gb18030)
        #expect(rejects.isEmpty)
        try #require(records.count == fillers + 1)
        #expect(records[fillers].fields.name == "甲𪚥")
        #expect(records[fillers].fields.address == "测试")
        #expect(records[fillers].location.byteOffset == Straddle.chunk - split)
    }

    // MARK: - Undecodable bytes

    @Test(arguments: [ResolvedEncoding.gb18030, .utf8])
    func undecodableByteRejectsOnlyItsRecord(encoding: ResolvedEncoding) throws {
        func encode(_ text: String) -> [UInt8] { encoding == .gb18030 ? GB18030.encode(text) : Array(text.utf8) }
        let before = encode("编号,姓名,地址,备注\r\nK1,甲,测试,\r\nK2,甲")
        let bytes = before + [0xFF] + encode("乙,测试,\r\nK3,丙,测试,\r\n")
        let path = directory.write("t.csv", bytes: bytes)
        let items = try Read.items(path, format: .csv, spec: Self.spec, encoding: encoding)
        try #require(items.count == 3)
        let reject = try #require(items[1].reject)
        #expect(reject.reason == .undecodableBytes(encoding: encoding.rawValue, byteOffset: before.count, field: "姓名"))
        #expect(reject.location.line == 3)
        #expect(items.records.map(\.key) == ["K1", "K3"])
        #expect(items.records.last?.location.line == 4)
    }

    @Test(arguments: [ResolvedEncoding.gb18030, .utf8])
    func undecodableByteInAnUnmappedColumnIsStillRejected(encoding: ResolvedEncoding) throws {
        let spec = SourceSpec(name: "test", key: "编号", fields: [.name: FieldMapping(sources: ["姓名"])])
        func encode(_ text: String) -> [UInt8] { encoding == .gb18030 ? GB18030.encode(text) : Array(text.utf8) }
        let before = encode("编号,姓名,地址,备注\nK1,甲,测试,")
        let bytes = before + [0x80] + encode("\nK2,乙,测试,\n")
        let items = try Read.items(directory.write("t.csv", bytes: bytes), format: .csv, spec: spec, encoding: encoding)
        try #require(items.count == 2)
        #expect(
            items[0].reject?.reason
                == .undecodableBytes(encoding: encoding.rawValue, byteOffset: before.count, field: "备注"))
        #expect(items[1].record?.key == "K2")
    }

    @Test func gb18030LeadByteCutOffByTheDelimiterIsRejected() throws {
        // 0x81 needs a trail byte; the comma after it ends the field.
        let before = Array("编号,姓名,地址,备注\nK1,".utf8)
        let bytes = GB18030.encode("编号,姓名,地址,备注\nK1,") + [0x81] + Array(",a,b\nK2,c,d,e\n".utf8)
        let items = try Read.items(
            directory.write("t.csv", bytes: bytes), format: .csv, spec: Self.spec, encoding: .gb18030)
        try #require(items.count == 2)
        let expectedOffset = GB18030.encode("编号,姓名,地址,备注\nK1,").count
        #expect(
            items[0].reject?.reason == .undecodableBytes(encoding: "GB18030", byteOffset: expectedOffset, field: "姓名"))
        #expect(before.count != expectedOffset, "the offset counts GB18030 bytes, not UTF-8 bytes")
        #expect(items[1].record?.key == "K2")
    }

    // MARK: - Resolution

    @Test func fingerprintSizeHashAndMark() throws {
        let print = try fingerprint(Array("abc".utf8))
        #expect(print.size == 3)
        #expect(print.sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(print.byteOrderMark == .none)
        #expect(print.isValidUTF8)
        #expect(try fingerprint([0xEF, 0xBB, 0xBF, 0x61]).byteOrderMark == .utf8)
        #expect(try fingerprint([0xFF, 0xFE, 0x61, 0x00]).byteOrderMark == .utf16LittleEndian)
        #expect(try fingerprint([0xFE, 0xFF, 0x00, 0x61]).byteOrderMark == .utf16BigEndian)
    }

    @Test func fingerprintSkipsTheUTF8CheckWhenAskedTo() throws {
        let path = directory.write("f", bytes: GB18030.encode("测试"))
        #expect(try FileFingerprint.compute(path: path, displayName: "f", checkUTF8: true).isValidUTF8 == false)
        #expect(try FileFingerprint.compute(path: path, displayName: "f", checkUTF8: false).isValidUTF8 == true)
    }

    @Test(
        arguments: [
            (Array("a,b\n".utf8), true),
            (Array("测试,𪚥\n".utf8), true),
            (GB18030.encode("测试,𪚥\n"), false),
            ([0x61, 0xE6, 0xB5], false),  // a sequence cut off by the end of the file
            ([0x61, 0xC0, 0x80], false),  // overlong
            ([0x61, 0xED, 0xA0, 0x80], false),  // surrogate
        ] as [([UInt8], Bool)])
    func fingerprintValidatesUTF8(bytes: [UInt8], valid: Bool) throws {
        #expect(try fingerprint(bytes).isValidUTF8 == valid)
    }

    @Test(arguments: [1, 2, 3])
    func fingerprintValidatesSequencesSplitByItsChunks(bytesBefore: Int) throws {
        // 𪚥 (F0 AA 9A A5) cut by the fingerprint's 1 MiB read chunk.
        var bytes = [UInt8](repeating: 0x61, count: (1 << 20) - bytesBefore)
        bytes += Array("𪚥".utf8) + Array("b".utf8)
        #expect(try fingerprint(bytes).isValidUTF8)
        bytes[bytes.count - 2] = 0x41  // break the last continuation byte
        #expect(try fingerprint(bytes).isValidUTF8 == false)
    }

    @Test func invalidByteAfterTheFirstChunkIsFound() throws {
        var bytes = [UInt8](repeating: 0x61, count: (1 << 20) + 10)
        bytes[(1 << 20) + 5] = 0xFF
        #expect(try fingerprint(bytes).isValidUTF8 == false)
    }

    @Test(arguments: SourceFormat.allCases)
    func autoResolution(format: SourceFormat) throws {
        let withMark = try fingerprint([0xEF, 0xBB, 0xBF] + GB18030.encode("测试"))
        let utf8 = try fingerprint(Array("测试".utf8))
        let ascii = try fingerprint(Array("abc".utf8))
        let gb = try fingerprint(GB18030.encode("测试"))
        #expect(try TextEncoding.auto.resolved(for: withMark, format: format, file: "f") == .utf8)
        #expect(try TextEncoding.auto.resolved(for: utf8, format: format, file: "f") == .utf8)
        #expect(try TextEncoding.auto.resolved(for: ascii, format: format, file: "f") == .utf8)
        #expect(
            try TextEncoding.auto.resolved(for: gb, format: format, file: "f") == (format == .csv ? .gb18030 : .utf8))
    }

    @Test func declaredEncodingsWinExceptOverAByteOrderMark() throws {
        let gb = try fingerprint(GB18030.encode("测试"))
        let marked = try fingerprint([0xEF, 0xBB, 0xBF] + Array("测试".utf8))
        #expect(try TextEncoding.gb18030.resolved(for: gb, format: .csv, file: "f") == .gb18030)
        #expect(try TextEncoding.utf8.resolved(for: gb, format: .csv, file: "f") == .utf8)
        #expect(try TextEncoding.gb18030.resolved(for: marked, format: .csv, file: "f") == .utf8)
    }

    @Test(arguments: [[0xFF, 0xFE, 0x61, 0x00], [0xFE, 0xFF, 0x00, 0x61]] as [[UInt8]])
    func utf16ByteOrderMarkIsUnsupported(bytes: [UInt8]) throws {
        let print = try fingerprint(bytes)
        for encoding in TextEncoding.allCases {
            #expect(throws: ImportError.self) {
                try encoding.resolved(for: print, format: .csv, file: "f")
            }
            do {
                _ = try encoding.resolved(for: print, format: .csv, file: "f")
            } catch {
                guard case .unsupportedEncoding(file: "f", let detail) = error else {
                    Issue.record("expected unsupportedEncoding, got \(error)")
                    continue
                }
                #expect(detail.contains("UTF-16"))
            }
        }
    }

    @Test(arguments: [SourceFormat.xml, .json, .jsonl])
    func onlyCSVMayBeReadAsGB18030(format: SourceFormat) {
        let path = directory.write("t", "{}")
        #expect(
            throws: ImportError.encodingNotAllowed(
                file: "test", encoding: "GB18030", format: format.rawValue.uppercased())
        ) {
            _ = try RecordStream(path: path, displayName: "test", format: format, spec: Self.spec, encoding: .gb18030)
        }
    }
}
