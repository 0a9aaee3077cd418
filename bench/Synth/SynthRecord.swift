/// One record as a department would hold it, with the dirt that went into it.
struct SynthRecord {
    var name: String
    var idNumber: String?
    var sex: Int
    var birth: (year: Int, month: Int, day: Int)?
    var phone: String?
    var address: String?
    /// What was done to the clean values, for the scorer's breakdown of missed pairs.
    var dirt: [String] = []
}

/// Makes a person's record for one department, dirtied as the profile says.
struct RecordMaker {
    let profile: SynthProfile

    func record(of person: Person, random: inout SynthRandom) -> SynthRecord {
        var record = SynthRecord(
            name: person.name, idNumber: person.idNumber, sex: person.sex, birth: person.birth, phone: person.phone,
            address: person.address)
        dirtyID(&record, person: person, random: &random)
        dirtyName(&record, person: person, random: &random)
        if random.chance(profile.birthMissing) {
            record.birth = nil
            record.dirt.append("birth-missing")
        } else if random.chance(profile.birthSwapped), person.birth.day <= 12, person.birth.day != person.birth.month {
            record.birth = (person.birth.year, person.birth.day, person.birth.month)
            record.dirt.append("birth-swapped")
        } else if random.chance(profile.birthTypo) {
            var birth = person.birth
            if random.chance(0.5) { birth.year += random.chance(0.5) ? 1 : -1 } else { birth.day = birth.day % 28 + 1 }
            record.birth = birth
            record.dirt.append("birth-typo")
        }
        if random.chance(profile.phoneMissing) {
            record.phone = nil
            record.dirt.append("phone-missing")
        } else if random.chance(profile.phoneChanged) {
            record.phone = person.otherPhone
            record.dirt.append("phone-changed")
        } else if random.chance(profile.phoneTypo) {
            var digits = Array(person.phone)
            let position = random.int(3...10)
            digits[position] = Character(String((Int(String(digits[position]))! + random.int(1...9)) % 10))
            record.phone = String(digits)
            record.dirt.append("phone-typo")
        }
        if let phone = record.phone {
            switch random.int(0...5) {
            case 0: record.phone = "+86-" + phone
            case 1:
                let digits = Array(phone)
                record.phone = String(digits[0..<3]) + " " + String(digits[3..<7]) + " " + String(digits[7...])
            case 2: record.phone = "0086" + phone
            default: break
            }
        }
        if random.chance(profile.addressMissing) {
            record.address = nil
            record.dirt.append("address-missing")
        } else if random.chance(profile.addressMoved) {
            record.address = person.otherAddress
            record.dirt.append("address-moved")
        }
        if let address = record.address {
            switch random.int(0...3) {
            case 0: record.address = "四川省成都市" + address
            case 1: record.address = "成都市" + address
            case 2: record.address = "四川省 成都市 " + address
            default: break
            }
        }
        return record
    }

    private func dirtyID(_ record: inout SynthRecord, person: Person, random: inout SynthRandom) {
        if random.chance(profile.idMissing) {
            record.idNumber = nil
            record.dirt.append("id-missing")
            return
        }
        var characters = Array(person.idNumber)
        if random.chance(profile.idTypo) {
            let position = random.int(0...16)
            let digit = Int(String(characters[position]))!
            characters[position] = Character(String((digit + random.int(1...9)) % 10))
            record.dirt.append("id-typo")
        } else if random.chance(profile.idTransposed) {
            let position = random.int(0...15)
            if characters[position] != characters[position + 1] {
                characters.swapAt(position, position + 1)
                record.dirt.append("id-transposed")
            }
        } else if random.chance(profile.idLegacy), person.birth.year >= 1900, person.birth.year < 2000 {
            characters = Array(characters[0..<6]) + Array(characters[8..<17])
            record.dirt.append("id-legacy")
        }
        if random.chance(profile.idFullWidth) {
            characters = characters.map { character in
                guard let value = character.asciiValue, value >= 0x30, value <= 0x39 else { return character }
                return Character(Unicode.Scalar(0xFF10 + UInt32(value - 0x30))!)
            }
        }
        if characters.last == "X", random.chance(0.3) { characters[characters.count - 1] = "x" }
        record.idNumber = String(characters)
    }

    private func dirtyName(_ record: inout SynthRecord, person: Person, random: inout SynthRandom) {
        if person.minority {
            record.name = person.name.replacingMiddleDot(with: random.pick(["·", "・", "•", "."]))
            return
        }
        var characters = Array(record.name).map(String.init)
        if random.chance(profile.nameHomophone) {
            let positions = characters.indices.filter { Pools.homophones[characters[$0]] != nil }
            if let position = positions.isEmpty ? nil : positions[random.int(0...(positions.count - 1))] {
                characters[position] = random.pick(Pools.homophones[characters[position]]!)
                record.dirt.append("name-homophone")
            }
        } else if random.chance(profile.nameDropped), characters.count >= 3 {
            characters.remove(at: random.int(1...(characters.count - 1)))
            record.dirt.append("name-dropped")
        }
        if random.chance(profile.nameSpace), characters.count >= 2 {
            characters.insert(" ", at: 1)
        }
        record.name = characters.joined()
    }
}

extension String {
    fileprivate func replacingMiddleDot(with dot: String) -> String {
        split(separator: "·", omittingEmptySubsequences: false).joined(separator: dot)
    }
}
