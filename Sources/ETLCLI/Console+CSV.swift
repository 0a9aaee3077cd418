extension Console {
    /// Writes CSV on stdout: `header`, then each of `rows`, each field quoted as RFC 4180 needs,
    /// in pieces of about 64 KiB, so that a long listing is never held whole.
    func writeCSV<Rows: Sequence<[String]>>(header: [String], rows: Rows) {
        var text = Console.csvLine(header)
        for row in rows {
            text += Console.csvLine(row)
            if text.utf8.count >= 1 << 16 {
                outPartial(text)
                text = ""
            }
        }
        outPartial(text)
    }

    /// One CSV line, ended by a line feed.
    static func csvLine(_ fields: [String]) -> String {
        fields.map(csvField).joined(separator: ",") + "\n"
    }

    /// A CSV field, quoted (RFC 4180) when it holds a comma, a quote or a line break.
    static func csvField(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return text }
        var quoted = "\""
        for character in text.unicodeScalars {
            if character == "\"" { quoted += "\"" }
            quoted.unicodeScalars.append(character)
        }
        return quoted + "\""
    }
}
