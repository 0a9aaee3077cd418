import CLibXML2
import ETLCore

#if canImport(Glibc)
    import Glibc
#endif

/// Parses one record element with libxml2's SAX2 interface, reusing one push-parser context
/// for every record. Network access and DTD loading are off, and no entity is substituted,
/// so a record can never make libxml2 fetch or read anything.
///
/// Owns the parser context and frees it in `deinit`; not `Sendable`.
final class XMLRecordParser {
    struct Problem: Error {
        var message: String
        /// The 1-based line within the record where libxml2 saw the problem.
        var line: Int
        /// The limit, when the problem is elements nested deeper than it.
        var nestingLimit: Int?
    }

    private var handler = xmlSAXHandler()
    private var context: xmlParserCtxtPtr?
    private let slotNames: [[UInt8]]
    /// How deep elements may nest below the record element.
    private let maxNestingDepth: Int
    // The callbacks' state. libxml2 calls back several times per field, so these are held
    // without reference counting (each is set only for the length of a parse, by the caller
    // that owns it) and without dynamic exclusivity checks (only the parse touches them).
    /// Where parsed values go; set only during a parse.
    @exclusivity(unchecked) private unowned(unsafe) var fields: FieldArena?
    @exclusivity(unchecked) private unowned(unsafe) var group: XMLRecordGroup?
    /// The depth of record elements: 1 for one record alone, 2 inside a group's wrapper.
    @exclusivity(unchecked) private var recordDepth = 1
    @exclusivity(unchecked) private var depth = 0
    @exclusivity(unchecked) private var currentSlot = -1
    @exclusivity(unchecked) private var problem: Problem?

    init(slots: FieldSlots, maxNestingDepth: Int) {
        slotNames = slots.names.map { Array($0.utf8) }
        self.maxNestingDepth = maxNestingDepth
        handler.initialized = XML_SAX2_MAGIC
        handler.startElementNs = { context, localName, _, _, _, _, _, _, _ in
            XMLRecordParser.with(context) { $0.startElement(localName) }
        }
        handler.endElementNs = { context, _, _, _ in
            XMLRecordParser.with(context) { $0.endElement() }
        }
        handler.characters = { context, characters, length in
            XMLRecordParser.with(context) { $0.appendText(characters, Int(length)) }
        }
        handler.cdataBlock = { context, characters, length in
            XMLRecordParser.with(context) { $0.appendText(characters, Int(length)) }
        }
        handler.serror = { context, error in
            guard let context, let error else { return }
            XMLRecordParser.with(context) { $0.record(error) }
        }
    }

    deinit {
        if let context { xmlFreeParserCtxt(context) }
    }

    /// Calls `body` with the parser behind libxml2's user pointer, which the parser itself
    /// keeps alive for the whole parse, so no reference count is taken.
    private static func with(_ context: UnsafeMutableRawPointer?, _ body: (XMLRecordParser) -> Void) {
        Unmanaged<XMLRecordParser>.fromOpaque(context!)._withUnsafeGuaranteedRef(body)
    }

    /// No network, no warnings, and no name dictionary: records are parsed in groups on a
    /// context that is reset each time, so interning element names saves nothing (measured:
    /// libxml2 spends 15% less time on the benchmark export without it).
    private static let options = Int32(
        XML_PARSE_NONET.rawValue | XML_PARSE_NOWARNING.rawValue | XML_PARSE_NODICT.rawValue)

    /// Puts the text of the record's child elements into `fields` by slot; returns the first
    /// well-formedness error, or `nil`.
    func parse(_ chunk: UnsafeBufferPointer<UInt8>, into fields: FieldArena) -> Problem? {
        self.fields = fields
        defer { self.fields = nil }
        recordDepth = 1
        return run(chunk)
    }

    /// Parses several records wrapped in one element, which saves libxml2's per-document
    /// work; each record's values go to `group`. Any error fails the whole group, and the
    /// caller parses its records one by one to find the bad ones.
    func parse(group: XMLRecordGroup) -> Bool {
        self.group = group
        defer { self.group = nil }
        recordDepth = 2
        return group.bytes.withUnsafeBufferPointer { run($0) } == nil
    }

    private func run(_ chunk: UnsafeBufferPointer<UInt8>) -> Problem? {
        depth = 0
        currentSlot = -1
        problem = nil
        let base = UnsafeRawPointer(chunk.baseAddress!).assumingMemoryBound(to: CChar.self)
        if let context {
            xmlCtxtResetPush(context, nil, 0, nil, "UTF-8")
        } else {
            let user = Unmanaged.passUnretained(self).toOpaque()
            context = xmlCreatePushParserCtxt(&handler, user, nil, 0, nil)
        }
        guard let context else { return Problem(message: "libxml2 could not create a parser", line: 1) }
        xmlCtxtUseOptions(context, XMLRecordParser.options)
        // Never load external DTDs or entities, whatever the record says.
        context.pointee.loadsubset = 0
        context.pointee.replaceEntities = 0
        xmlParseChunk(context, base, Int32(chunk.count), 1)
        if let problem { return problem }
        if context.pointee.wellFormed == 0 {
            return Problem(message: "the element is not well-formed", line: 1)
        }
        return nil
    }

    private func startElement(_ localName: UnsafePointer<xmlChar>?) {
        depth += 1
        if depth - recordDepth > maxNestingDepth {
            // libxml2 builds no tree here, so it applies no depth limit of its own.
            if problem == nil {
                problem = Problem(
                    message: "elements nested deeper than \(maxNestingDepth) levels", line: 1,
                    nestingLimit: maxNestingDepth)
            }
            xmlStopParser(context)
            return
        }
        if depth == recordDepth {
            group?.startRecord()
            return
        }
        guard depth == recordDepth + 1, let localName else { return }
        currentSlot = slot(of: localName)
        if currentSlot >= 0 {
            fields?.begin()
            group?.beginField()
        }
    }

    private func endElement() {
        if depth == recordDepth + 1, currentSlot >= 0 {
            fields?.end(currentSlot)
            group?.endField(currentSlot)
            currentSlot = -1
        }
        depth -= 1
    }

    private func appendText(_ characters: UnsafePointer<xmlChar>?, _ length: Int) {
        guard depth > recordDepth, currentSlot >= 0, let characters else { return }
        let text = UnsafeBufferPointer(start: characters, count: length)
        fields?.append(text)
        group?.append(text)
    }

    private func record(_ error: xmlErrorPtr) {
        guard problem == nil, error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
        problem = Problem(
            message: XMLRecordParser.describe(code: error.pointee.code), line: Int(max(1, error.pointee.line)))
    }

    /// A fixed description of a libxml2 error code. libxml2's own messages quote names and
    /// text from the record (an entity's name, a misspelt tag), which may be personal data,
    /// so they never reach a reject reason.
    static func describe(code: Int32) -> String {
        switch UInt32(bitPattern: code) {
        case XML_ERR_TAG_NAME_MISMATCH.rawValue: "an end tag does not match its start tag"
        case XML_ERR_TAG_NOT_FINISHED.rawValue, XML_ERR_LTSLASH_REQUIRED.rawValue: "an element is not closed"
        case XML_ERR_UNDECLARED_ENTITY.rawValue, XML_WAR_UNDECLARED_ENTITY.rawValue:
            "a reference to an undefined entity; write a literal & as &amp;"
        case XML_ERR_ENTITYREF_SEMICOL_MISSING.rawValue, XML_ERR_ENTITYREF_NO_NAME.rawValue:
            "a bare '&'; write it as &amp;"
        case XML_ERR_NAME_REQUIRED.rawValue, XML_ERR_LT_IN_ATTRIBUTE.rawValue:
            "a '<' that starts no tag; write it as &lt;"
        case XML_ERR_GT_REQUIRED.rawValue: "a tag that does not end with '>'"
        case XML_ERR_ATTRIBUTE_NOT_STARTED.rawValue, XML_ERR_ATTRIBUTE_WITHOUT_VALUE.rawValue,
            XML_ERR_ATTRIBUTE_REDEFINED.rawValue, XML_ERR_LITERAL_NOT_FINISHED.rawValue:
            "a malformed attribute"
        case XML_ERR_INVALID_CHAR.rawValue, XML_ERR_INVALID_ENCODING.rawValue, XML_ERR_INVALID_CHARREF.rawValue:
            "a character or bytes that XML does not allow"
        case XML_ERR_DOCUMENT_END.rawValue, XML_ERR_EXTRA_CONTENT.rawValue: "text after the record's end tag"
        case XML_ERR_ENTITY_LOOP.rawValue: "an entity that refers to itself"
        default: "the element is not well-formed (libxml2 error \(code))"
        }
    }

    private func slot(of name: UnsafePointer<xmlChar>) -> Int {
        let length = strlen(UnsafeRawPointer(name).assumingMemoryBound(to: CChar.self))
        for (slot, candidate) in slotNames.enumerated() where candidate.count == length {
            if candidate.withUnsafeBufferPointer({ memcmp($0.baseAddress!, name, length) == 0 }) {
                return slot
            }
        }
        return -1
    }
}

/// Records cut from the stream and parsed together: their bytes inside one wrapper element,
/// and after parsing, each record's values by slot.
final class XMLRecordGroup {
    static let openTag = Array("<etl-group>".utf8)
    static let closeTag = Array("</etl-group>".utf8)

    struct Member {
        var location: RecordLocation
        /// The record's bytes within `bytes`, for parsing it alone.
        var range: Range<Int>
    }

    let slotCount: Int
    // Filled a record at a time by the reader and a callback at a time by the parser, never
    // both at once: no dynamic exclusivity checks.
    @exclusivity(unchecked) private(set) var bytes: [UInt8] = []
    @exclusivity(unchecked) private(set) var members: [Member] = []
    /// Parsed text of every record's fields, and per record and slot its start and length.
    @exclusivity(unchecked) private var text: [UInt8] = []
    @exclusivity(unchecked) private var spans: [Int] = []
    @exclusivity(unchecked) private var parsedRecords = 0
    @exclusivity(unchecked) private var fieldStart = 0

    init(slotCount: Int) {
        self.slotCount = slotCount
    }

    var count: Int { members.count }

    func reset() {
        bytes.removeAll(keepingCapacity: true)
        bytes += XMLRecordGroup.openTag
        members.removeAll(keepingCapacity: true)
        text.removeAll(keepingCapacity: true)
        spans.removeAll(keepingCapacity: true)
        parsedRecords = 0
    }

    func add(_ record: UnsafeBufferPointer<UInt8>, location: RecordLocation) {
        let start = bytes.count
        bytes.append(contentsOf: record)
        members.append(Member(location: location, range: start..<bytes.count))
    }

    func close() {
        bytes += XMLRecordGroup.closeTag
    }

    // Filled by the parser.

    func startRecord() {
        parsedRecords += 1
        spans.append(contentsOf: repeatElement(-1, count: slotCount * 2))
    }

    func beginField() {
        fieldStart = text.count
    }

    func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        text.append(contentsOf: bytes)
    }

    func endField(_ slot: Int) {
        let base = (parsedRecords - 1) * slotCount * 2 + slot * 2
        spans[base] = fieldStart
        spans[base + 1] = text.count - fieldStart
    }

    /// Whether the parse found exactly one record element per member.
    var isComplete: Bool { parsedRecords == members.count }

    /// Copies record `index`'s values into `fields`.
    func copy(record index: Int, into fields: FieldArena) {
        text.withUnsafeBufferPointer { text in
            for slot in 0..<slotCount {
                let base = index * slotCount * 2 + slot * 2
                guard spans[base + 1] >= 0 else { continue }
                fields.set(slot, UnsafeBufferPointer(rebasing: text[spans[base]..<(spans[base] + spans[base + 1])]))
            }
        }
    }
}
