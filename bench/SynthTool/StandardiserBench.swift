import ETLNormalise
import Foundation
import Synth

/// `etl-synth standardisers --csv FILE`: times each standardiser on the names, ID numbers,
/// phones and addresses of a generated social-security CSV, one core.
enum StandardiserBench {
    static func run(csvPath: String) throws {
        let text = try QualityScorer.read(csvPath)
        var names: [String] = []
        var ids: [String] = []
        var phones: [String] = []
        var addresses: [String] = []
        for line in text.split(separator: "\r\n").dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count >= 7 else { continue }
            names.append(String(fields[1]))
            ids.append(String(fields[4]))
            phones.append(String(fields[5]))
            addresses.append(String(fields[6]))
        }
        func time(_ label: String, _ count: Int, _ body: () -> Int) {
            let start = Date()
            let checksum = body()
            let seconds = Date().timeIntervalSince(start)
            print(
                "\(label): \(count) values in \(String(format: "%.2f", seconds)) s, \(Int(Double(count) / seconds)) per second (\(checksum))"
            )
        }
        let nameStandardiser = NameStandardiser()
        time("names", names.count) { names.reduce(0) { $0 + nameStandardiser.standardise($1).pinyinKey.utf8.count } }
        time("ID numbers", ids.count) { ids.reduce(0) { $0 + IDNumber($1).standard.utf8.count } }
        time("phones", phones.count) { phones.reduce(0) { $0 + PhoneNumber($1).standard.utf8.count } }
        let addressStandardiser = AddressStandardiser()
        time("addresses", addresses.count) {
            addresses.reduce(0) { $0 + addressStandardiser.standardise($1).rest.utf8.count }
        }
    }
}
