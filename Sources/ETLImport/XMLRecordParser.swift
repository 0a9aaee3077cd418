import CLibXML2

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
    }

    private var handler = xmlSAXHandler()
    private var context: xmlParserCtxtPtr?
    private let slotNames: [[UInt8]]
    private var values: [String?] = []
    private var depth = 0
    private var currentSlot = -1
    private var text: [UInt8] = []
    private var problem: Problem?

    init(slots: FieldSlots) {
        slotNames = slots.names.map { Array($0.utf8) }
        handler.initialized = XML_SAX2_MAGIC
        handler.startElementNs = { context, localName, _, _, _, _, _, _, _ in
            XMLRecordParser.from(context).startElement(localName)
        }
        handler.endElementNs = { context, _, _, _ in
            XMLRecordParser.from(context).endElement()
        }
        handler.characters = { context, characters, length in
            XMLRecordParser.from(context).appendText(characters, Int(length))
        }
        handler.cdataBlock = { context, characters, length in
            XMLRecordParser.from(context).appendText(characters, Int(length))
        }
        handler.serror = { context, error in
            guard let context, let error else { return }
            XMLRecordParser.from(context).record(error)
        }
    }

    deinit {
        if let context { xmlFreeParserCtxt(context) }
    }

    private static func from(_ context: UnsafeMutableRawPointer?) -> XMLRecordParser {
        Unmanaged<XMLRecordParser>.fromOpaque(context!).takeUnretainedValue()
    }

    private static let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOWARNING.rawValue)

    /// The values of the record's child elements, by slot, or the first well-formedness error.
    func parse(_ chunk: UnsafeBufferPointer<UInt8>) -> Result<[String?], Problem> {
        values = [String?](repeating: nil, count: slotNames.count)
        depth = 0
        currentSlot = -1
        text.removeAll(keepingCapacity: true)
        problem = nil
        let base = UnsafeRawPointer(chunk.baseAddress!).assumingMemoryBound(to: CChar.self)
        if let context {
            xmlCtxtResetPush(context, nil, 0, nil, "UTF-8")
        } else {
            let user = Unmanaged.passUnretained(self).toOpaque()
            context = xmlCreatePushParserCtxt(&handler, user, nil, 0, nil)
        }
        guard let context else { return .failure(Problem(message: "libxml2 could not create a parser", line: 1)) }
        xmlCtxtUseOptions(context, XMLRecordParser.options)
        // Never load external DTDs or entities, whatever the record says.
        context.pointee.loadsubset = 0
        context.pointee.replaceEntities = 0
        xmlParseChunk(context, base, Int32(chunk.count), 1)
        if let problem { return .failure(problem) }
        if context.pointee.wellFormed == 0 {
            return .failure(Problem(message: "the element is not well-formed", line: 1))
        }
        return .success(values)
    }

    private func startElement(_ localName: UnsafePointer<xmlChar>?) {
        depth += 1
        guard depth == 2, let localName else { return }
        text.removeAll(keepingCapacity: true)
        currentSlot = slot(of: localName)
    }

    private func endElement() {
        if depth == 2, currentSlot >= 0, !text.isEmpty {
            values[currentSlot] = String(decoding: text, as: UTF8.self)
        }
        if depth == 2 { currentSlot = -1 }
        depth -= 1
    }

    private func appendText(_ characters: UnsafePointer<xmlChar>?, _ length: Int) {
        guard depth >= 2, currentSlot >= 0, let characters else { return }
        text.append(contentsOf: UnsafeBufferPointer(start: characters, count: length))
    }

    private func record(_ error: xmlErrorPtr) {
        guard problem == nil, error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
        var message = error.pointee.message.map { String(cString: $0) } ?? "the element is not well-formed"
        while message.last?.isWhitespace == true { message.removeLast() }
        problem = Problem(message: message, line: Int(max(1, error.pointee.line)))
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
