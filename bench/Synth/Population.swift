/// One synthetic person, with the values a clean register would hold.
struct Person {
    var index: Int
    var household: Int
    var twinGroup: Int?
    var namesakeGroup: Int?
    var surname: String
    var givenName: String
    /// Written with a middle dot between its parts, for minority names.
    var minority: Bool
    var sex: Int  // 1 male, 2 female
    var birth: (year: Int, month: Int, day: Int)
    var idNumber: String
    var phone: String
    var district: Int
    var address: String
    /// Another address and phone, used when a record shows the person after a move.
    var otherAddress: String
    var otherPhone: String

    var name: String { minority ? givenName : surname + givenName }
}

/// Builds persons in households, with twins, namesakes and common names, deterministically.
struct PopulationBuilder {
    let profile: SynthProfile
    var random: SynthRandom
    private var sequence: [String: Int] = [:]

    init(profile: SynthProfile, seed: UInt64) {
        self.profile = profile
        random = SynthRandom(seed: seed)
    }

    mutating func build(people count: Int) -> [Person] {
        var persons: [Person] = []
        persons.reserveCapacity(count + 8)
        var household = 0
        var namesakeGroups = 0
        var twinGroups = 0
        while persons.count < count {
            let size = random.int(profile.householdSizes)
            let district = random.int(0...(Pools.districts.count - 1))
            let address = makeAddress(district: district)
            let sharedPhone = random.chance(profile.sharedPhoneShare) ? makePhone() : nil
            let surname = random.pick(Pools.surnames)
            for member in 0..<size where persons.count < count {
                var person = makePerson(
                    index: persons.count, household: household, district: district, address: address,
                    surname: member < 2 ? (member == 0 ? surname : random.pick(Pools.surnames)) : surname)
                if let sharedPhone { person.phone = sharedPhone }
                persons.append(person)
                // A twin: same birth date, surname, address and household, another given name and ID.
                if random.chance(profile.twinShare / 2), persons.count < count {
                    var twin = makePerson(
                        index: persons.count, household: household, district: district, address: address,
                        surname: person.surname)
                    twin.birth = person.birth
                    twin.minority = false
                    while twin.givenName == person.givenName || Pools.samePinyin(twin.givenName, person.givenName) {
                        twin.givenName = makeGivenName(sex: twin.sex)
                    }
                    twin.idNumber = makeID(district: district, birth: twin.birth, sex: twin.sex)
                    twin.twinGroup = twinGroups
                    persons[persons.count - 1].twinGroup = twinGroups
                    twin.phone = random.chance(0.5) ? person.phone : twin.phone
                    twinGroups += 1
                    persons.append(twin)
                }
            }
            household += 1
        }
        // Namesakes: people elsewhere given a copy of someone's common name and birth date.
        let namesakes = Int(Double(count) * profile.namesakeShare / 2)
        for _ in 0..<namesakes {
            let a = random.int(0...(count - 1))
            let b = random.int(0...(count - 1))
            guard a != b, persons[a].household != persons[b].household, persons[a].twinGroup == nil,
                persons[b].twinGroup == nil, persons[a].namesakeGroup == nil, persons[b].namesakeGroup == nil
            else { continue }
            let common = random.pick(Pools.commonNames)
            for index in [a, b] {
                persons[index].minority = false
                persons[index].surname = String(common.first!)
                persons[index].givenName = String(common.dropFirst())
                persons[index].sex = Pools.commonNameSex(common)
                persons[index].birth = persons[a].birth
                persons[index].idNumber = makeID(
                    district: persons[index].district, birth: persons[index].birth, sex: persons[index].sex)
                persons[index].namesakeGroup = namesakeGroups
            }
            namesakeGroups += 1
        }
        return persons
    }

    private mutating func makePerson(
        index: Int, household: Int, district: Int, address: String, surname: String
    )
        -> Person
    {
        let sex = random.chance(0.5) ? 1 : 2
        let birth = makeBirth()
        var person = Person(
            index: index, household: household, twinGroup: nil, namesakeGroup: nil, surname: surname,
            givenName: makeGivenName(sex: sex), minority: false, sex: sex, birth: birth,
            idNumber: makeID(district: district, birth: birth, sex: sex), phone: makePhone(), district: district,
            address: address, otherAddress: "", otherPhone: makePhone())
        if random.chance(profile.commonNameShare) {
            let common = random.pick(Pools.commonNames)
            person.surname = String(common.first!)
            person.givenName = String(common.dropFirst())
            person.sex = Pools.commonNameSex(common)
            person.idNumber = makeID(district: district, birth: birth, sex: person.sex)
        } else if random.chance(0.01) {
            person.minority = true
            person.givenName = random.pick(Pools.minorityNames)
        }
        let moved = random.int(0...(Pools.districts.count - 1))
        person.otherAddress = makeAddress(district: moved)
        return person
    }

    private mutating func makeGivenName(sex: Int) -> String {
        let pool = sex == 1 ? Pools.maleCharacters : Pools.femaleCharacters
        return random.chance(0.35) ? random.pick(pool) : random.pick(pool) + random.pick(pool)
    }

    private mutating func makeBirth() -> (year: Int, month: Int, day: Int) {
        let year = random.int(1935...2010)
        let month = random.int(1...12)
        let days = [31, year % 4 == 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return (year, month, random.int(1...days))
    }

    /// A valid 18-character ID number, unique by its sequence digits.
    private mutating func makeID(district: Int, birth: (year: Int, month: Int, day: Int), sex: Int) -> String {
        let prefix =
            Pools.districts[district].code + Pools.digits(birth.year, 4) + Pools.digits(birth.month, 2)
            + Pools.digits(birth.day, 2)
        var next = sequence[prefix, default: random.int(0...40)]
        // The last sequence digit is odd for men and even for women.
        if next % 2 != (sex == 1 ? 1 : 0) { next += 1 }
        sequence[prefix] = next + 1 + random.int(0...3) * 2
        let body = prefix + Pools.digits(next % 1000, 3)
        return body + String(Pools.checkCharacter(body))
    }

    private mutating func makePhone() -> String {
        random.pick(Pools.mobilePrefixes) + Pools.digits(random.int(0...99_999_999), 8)
    }

    private mutating func makeAddress(district: Int) -> String {
        let place = Pools.districts[district]
        return place.name + random.pick(place.streets) + random.pick(Pools.roadHeads) + random.pick(Pools.roadTails)
            + "\(random.int(1...300))号" + random.pick(Pools.buildings)
    }
}

/// A seedable random source (SplitMix64), so that a seed gives the same data every time.
public struct SynthRandom {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed &+ 0x1234_5678
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func double() -> Double {
        Double(next() >> 11) / Double(1 << 53)
    }

    mutating func chance(_ probability: Double) -> Bool {
        double() < probability
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    mutating func pick<T>(_ items: [T]) -> T {
        items[int(0...(items.count - 1))]
    }
}
